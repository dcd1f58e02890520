//  ledger - the mutual's books beside the member register: what a valid
//  contribution row and claim row are, and their import schemas.
//
//  Contributions (register feed), one row per household and month:
//    household_id, period (YYYY-MM), amount_due_xof, amount_paid_xof,
//    paid_date (YYYY-MM-DD or DD/MM/YYYY; empty when nothing was paid).
//    Key: "HOUSEHOLD|YYYY-MM".
//  Claims (care feed: they never leave the mutual), one row per claim:
//    claim_id, member_id, provider_id, care_date, care_type, billed_xof,
//    covered_xof (at most billed_xof), generic_drugs (yes/no, oui/non,
//    1/0, true/false), status (paid, pending, rejected...).
//    Key: the claim id.
//  Both import all or nothing through ms_import_file, like members.

#ifndef MS_LEDGER_H
#define MS_LEDGER_H

#include "mutsync/import.h"
#include "mutsync/registers.h"

#define MS_AMOUNT_MAX 1000000000000ull  //  XOF in one amount: larger is a typing error

extern const ms_import_schema_t ms_contribution_schema;
extern const ms_import_schema_t ms_claim_schema;

//  Column names in file order, NULL-terminated.
extern const char *const ms_contribution_columns[];
extern const char *const ms_claim_columns[];

//  Writes the contribution key "HOUSEHOLD|YYYY-MM" into KEY (MS_KEY_MAX + 1).
void ms_contribution_key(const char *household, uint32_t period, char *key);

#endif
