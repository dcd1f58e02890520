//  date - calendar dates as day numbers, and the two ways people write them.
//
//  Dates travel and are stored as days since 1970-01-01 (proleptic
//  Gregorian). People write them YYYY-MM-DD, or DD/MM/YYYY as French
//  spreadsheets export them (one-digit day and month accepted there).
//  One parser serves spreadsheets, the command line and the views.

#ifndef MS_DATE_H
#define MS_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MS_DATE_YEAR_MIN 1900  //  the first year a register date may have
#define MS_DATE_YEAR_MAX 2100  //  the last

//  Splits the LEN bytes at TEXT, "YYYY-MM-DD" or "D[D]/M[M]/YYYY", into its
//  numbers. True only for a real calendar date (Feb 29 in leap years only),
//  whatever the year.
bool ms_date_split(const char *text, size_t len, int *year, int *month, int *day);

//  Days since 1970-01-01 of a real calendar date.
int32_t ms_date_days(int year, int month, int day);

//  Parses TEXT (either form, NUL-terminated) into *DAYS. Returns 0, or -1
//  when it is not a date between 1900-01-01 and 2100-12-31 (*DAYS is then 0).
int ms_date_parse(const char *text, int32_t *days);

//  The calendar date of DAYS since 1970-01-01.
void ms_date_civil(int32_t days, int *year, int *month, int *day);

//  Writes DAYS as "YYYY-MM-DD" into OUT (11 bytes): the year's last four digits.
void ms_date_format(int32_t days, char *out);

#endif
