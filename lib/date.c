//  date - day numbers from and to civil dates (H. Hinnant's algorithms,
//  "chrono-Compatible Low-Level Date Algorithms"), and the date parser.

#include "mutsync/date.h"

#include <string.h>

//  Reads exactly N decimal digits at TEXT.
static bool read_digits(const char *text, size_t n, int *value)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned digit = (unsigned)(unsigned char)text[i] - '0';
        if (digit > 9)
            return false;
        v = v * 10 + (int)digit;
    }
    *value = v;
    return n > 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month != 2)
        return days[month - 1];
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
}

static bool split(const char *text, size_t len, int *year, int *month, int *day)
{
    if (len == 10 && text[4] == '-' && text[7] == '-')
        return read_digits(text, 4, year) && read_digits(text + 5, 2, month) &&
               read_digits(text + 8, 2, day);
    const char *slash1 = memchr(text, '/', len);
    if (!slash1)
        return false;
    size_t day_len = (size_t)(slash1 - text);
    const char *rest = slash1 + 1;
    const char *slash2 = memchr(rest, '/', len - day_len - 1);
    if (!slash2)
        return false;
    size_t month_len = (size_t)(slash2 - rest);
    size_t year_len = len - day_len - month_len - 2;
    return day_len >= 1 && day_len <= 2 && month_len >= 1 && month_len <= 2 && year_len == 4 &&
           read_digits(text, day_len, day) && read_digits(rest, month_len, month) &&
           read_digits(slash2 + 1, 4, year);
}

bool ms_date_split(const char *text, size_t len, int *year, int *month, int *day)
{
    *year = *month = *day = 0;
    return split(text, len, year, month, day) && *month >= 1 && *month <= 12 && *day >= 1 &&
           *day <= days_in_month(*year, *month);
}

int32_t ms_date_days(int year, int month, int day)
{
    year -= month <= 2;
    int era = (year >= 0 ? year : year - 399) / 400;
    int year_of_era = year - era * 400;
    int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (int32_t)(era * 146097 + day_of_era - 719468);
}

int ms_date_parse(const char *text, int32_t *days)
{
    int year, month, day;
    *days = 0;
    if (!ms_date_split(text, strlen(text), &year, &month, &day) || year < MS_DATE_YEAR_MIN ||
        year > MS_DATE_YEAR_MAX)
        return -1;
    *days = ms_date_days(year, month, day);
    return 0;
}

void ms_date_civil(int32_t days, int *year, int *month, int *day)
{
    int32_t z = days + 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)((int32_t)yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

void ms_date_format(int32_t days, char *out)
{
    int year, m, d;
    ms_date_civil(days, &year, &m, &d);
    out[0] = (char)('0' + year / 1000 % 10);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = 0;
}
