//  ms-gendata - deterministic synthetic registers for tests, benchmarks and the demo.
//
//  Writes the CSV files a mutual keeps in a spreadsheet (members, contributions,
//  claims) and a JSON picture of a whole network (secretariat, one union per
//  country, mutuals under each union). Everything is made up but shaped like the
//  real thing: households of one to seven people, about 90% of members active,
//  children enrolled some weeks after birth, 250 XOF per person per month due
//  for the months ending 2026-10, claims by care type with their coverage rates.
//
//  The same arguments always give the same bytes: each stream (members,
//  contributions, claims, network) has its own splitmix64 generator seeded from
//  an FNV-1a hash of its name, the mutual id and the seed. Contributions replay
//  the member stream to find each household's size, so the two files agree.
//
//  Output is UTF-8, one header line, LF, comma-separated, RFC 4180 quoting;
//  --crlf, --semicolon and --bom give the variants spreadsheets save.
//  Written to be fast (a million member rows in well under a second): rows are
//  formatted by hand into one buffer, no printf per field.
//
//  Exit codes: 0 ok, 1 write error, 2 usage.

#include "mutsync/date.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_BUFFER_BYTES (1u << 16)
#define FIELD_MAX 512
#define N_MAX 100000000LL
#define VILLAGE_COUNT 12

static const char *const family_names[] = {
    "Diallo",   "Traoré",    "Keïta",     "Coulibaly", "Diarra",   "Koné",     "Sangaré",
    "Touré",    "Cissé",     "Sow",       "Bâ",        "Ndiaye",   "Diop",     "Fall",
    "Sy",       "Barry",     "Camara",    "Konaté",    "Ouattara", "Sanogo",   "Dembélé",
    "Kaboré",   "Ouédraogo", "Sawadogo",  "Zongo",     "Yérima",   "Saïzonou", "Mensah",
    "Agbodjan", "N'Diaye",   "Mahamadou", "Issoufou",  "Ngaba",    "Eteme",    "Ntock"};
static const char *const given_f[] = {"Aminata",    "Fatoumata", "Mariam",  "Awa",     "Kadiatou",
                                      "Oumou",      "Assétou",   "Aïssata", "Ramatou", "Bintou",
                                      "Hawa",       "Salimata",  "Adjoa",   "Afi",     "Rokia",
                                      "Nafissatou", "Ghislaine"};
static const char *const given_m[] = {
    "Moussa",   "Mamadou",   "Sékou",  "Ibrahima",   "Oumar",   "Boubacar",
    "Alassane", "Abdoulaye", "Seydou", "Souleymane", "Djikiné", "Alhassane",
    "Kofi",     "Yao",       "Issa",   "Adama",      "Koto"};
static const char *const village_base[] = {"Niono",     "Markala",    "Baroueli",   "Dioro",
                                           "Cinzana",   "Katiéna",    "Konobougou", "Sansanding",
                                           "Pélengana", "Dougabougou"};
static const char *const village_suffix[] = {"",     " Centre", "-Est", "-Ouest", " Nord",
                                             " Sud", "bougou",  "koro", "dougou"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

//  One country of the network: its union and the towns its mutuals are named after.
typedef struct {
    const char *code;        //  ISO 3166-1 alpha-2
    const char *union_id;    //  org id of the national union
    const char *union_name;  //  display name
    const char *towns[8];    //  mutual sites
} country_t;

static const country_t countries[] = {
    {"ML",
     "ML-UTM",
     "Union Technique de la Mutualité Malienne",
     {"Bamako", "Ségou", "Sikasso", "Kayes", "Mopti", "Koulikoro", "San", "Bla"}},
    {"BJ",
     "BJ-UCMS",
     "Union Communale des Mutuelles de Santé de Bembéréké",
     {"Bembéréké", "Ina", "Gamia", "Bouanri", "Béroubouay", "Kalalé", "Nikki", "Parakou"}},
    {"SN",
     "SN-UNMS",
     "Union Nationale des Mutuelles de Santé du Sénégal",
     {"Thiès", "Dakar", "Kaolack", "Mbour", "Tivaouane", "Fatick", "Louga", "Ziguinchor"}},
    {"GN",
     "GN-UMSG",
     "Union des Mutuelles de Santé de Guinée",
     {"Maliando", "N'Zérékoré", "Guéckédou", "Kissidougou", "Macenta", "Beyla", "Lola", "Yomou"}},
    {"BF",
     "BF-UMSB",
     "Union des Mutuelles de Santé du Burkina",
     {"Ouagadougou", "Bobo-Dioulasso", "Koudougou", "Kaya", "Fada N'Gourma", "Dori", "Banfora",
      "Tenkodogo"}},
    {"CI",
     "CI-UMSCI",
     "Union des Mutuelles de Santé de Côte d'Ivoire",
     {"Abidjan", "Bouaké", "Korhogo", "Daloa", "Man", "Yamoussoukro", "San-Pédro", "Odienné"}},
    {"TG",
     "TG-UMST",
     "Union des Mutuelles de Santé du Togo",
     {"Lomé", "Atakpamé", "Kara", "Sokodé", "Dapaong", "Kpalimé", "Tsévié", "Aného"}},
    {"NE",
     "NE-UMSN",
     "Union des Mutuelles de Santé du Niger",
     {"Niamey", "Zinder", "Maradi", "Tahoua", "Dosso", "Agadez", "Tillabéri", "Diffa"}},
    {"CM",
     "CM-UMSC",
     "Union des Mutuelles de Santé du Cameroun",
     {"Yaoundé", "Douala", "Bafoussam", "Garoua", "Maroua", "Bamenda", "Ebolowa", "Bertoua"}},
    {"TD",
     "TD-UMST",
     "Union des Mutuelles de Santé du Tchad",
     {"N'Djamena", "Moundou", "Sarh", "Abéché", "Kélo", "Mongo", "Doba", "Bongor"}},
    {"MR",
     "MR-UMSM",
     "Union des Mutuelles de Santé de Mauritanie",
     {"Nouakchott", "Darnaim", "Nouadhibou", "Kiffa", "Kaédi", "Rosso", "Atar", "Zouérat"}},
};

//  A kind of care: its name, the range billed (XOF) and its weight among claims.
typedef struct {
    const char *name;  //  care_type column
    long lo;           //  XOF, least billed
    long hi;           //  XOF, most billed
    int weight;        //  out of 100
} care_t;

static const care_t care_types[] = {
    {"consultation", 1500, 4000, 50}, {"medicaments", 1000, 12000, 25},
    {"analyse", 2000, 9000, 10},      {"accouchement", 10000, 25000, 6},
    {"sonu", 30000, 120000, 2},       {"hospitalisation", 15000, 90000, 7},
};

//  ---------------------------------------------------------------------------
//  Random numbers: splitmix64 (Steele, Lea, Flood 2014), seeded by FNV-1a.

typedef struct {
    uint64_t state;  //  advances by the golden gamma each draw
} rng_t;

static uint64_t rng_next(rng_t *self)
{
    uint64_t z = (self->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t fnv1a(uint64_t hash, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        hash ^= *p;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

static rng_t rng_for(const char *stream, const char *mutual, unsigned long long seed)
{
    char seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%llu", seed);
    uint64_t hash = 0xcbf29ce484222325ULL;
    hash = fnv1a(hash, stream);
    hash = fnv1a(hash, "|");
    hash = fnv1a(hash, mutual);
    hash = fnv1a(hash, "|");
    hash = fnv1a(hash, seed_text);
    rng_t rng = {hash};
    return rng;
}

//  Uniform in [lo, hi], both included; the range must fit in 32 bits.
static long rng_int(rng_t *self, long lo, long hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint64_t draw = rng_next(self) >> 32;
    return lo + (long)((draw * span) >> 32);
}

//  True with probability P.
static int rng_chance(rng_t *self, double p)
{
    return (double)(rng_next(self) >> 11) * 0x1.0p-53 < p;
}

#define PICK(rng, array) ((array)[rng_int((rng), 0, (long)COUNT(array) - 1)])

//  ---------------------------------------------------------------------------
//  Buffered CSV output.

typedef struct {
    FILE *file;                  //  where rows go
    char buf[OUT_BUFFER_BYTES];  //  pending bytes
    size_t len;                  //  bytes pending in buf
    int failed;                  //  a write failed; further output is dropped
    char sep;                    //  field separator: ',' or ';'
    const char *eol;             //  "\n" or "\r\n"
    int fields;                  //  fields written on the current line
} out_t;

static void out_flush(out_t *self)
{
    if (self->len && !self->failed && fwrite(self->buf, 1, self->len, self->file) != self->len)
        self->failed = 1;
    self->len = 0;
}

static void out_bytes(out_t *self, const char *bytes, size_t len)
{
    if (self->len + len > sizeof self->buf)
        out_flush(self);
    if (len > sizeof self->buf) {
        if (!self->failed && fwrite(bytes, 1, len, self->file) != len)
            self->failed = 1;
        return;
    }
    memcpy(self->buf + self->len, bytes, len);
    self->len += len;
}

static void out_text(out_t *self, const char *text)
{
    out_bytes(self, text, strlen(text));
}

//  Writes one field, quoted (RFC 4180 §2.6, §2.7) only when it holds the
//  separator, a double quote or a line break.
static void out_field(out_t *self, const char *text)
{
    if (self->fields++)
        out_bytes(self, &self->sep, 1);
    size_t len = strlen(text);
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = text[i] == self->sep || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
    if (!quote) {
        out_bytes(self, text, len);
        return;
    }
    out_bytes(self, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            out_bytes(self, "\"", 1);
        out_bytes(self, text + i, 1);
    }
    out_bytes(self, "\"", 1);
}

static void out_end_row(out_t *self)
{
    out_text(self, self->eol);
    self->fields = 0;
}

//  Writes VALUE in decimal into TEXT, at least WIDTH digits; returns the length.
static size_t format_uint(char *text, unsigned long long value, int width)
{
    char digits[24];
    int count = 0;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (count < width)
        digits[count++] = '0';
    for (int i = 0; i < count; i++)
        text[i] = digits[count - 1 - i];
    text[count] = '\0';
    return (size_t)count;
}

static void out_uint(out_t *self, unsigned long long value)
{
    char text[24];
    format_uint(text, value, 0);
    out_field(self, text);
}

//  Writes PREFIX followed by VALUE padded to WIDTH digits, as one field.
static void out_id(out_t *self, const char *prefix, unsigned long long value, int width)
{
    char text[FIELD_MAX + 24];
    size_t len = strlen(prefix);
    memcpy(text, prefix, len);
    format_uint(text + len, value, width);
    out_field(self, text);
}

static void out_date(out_t *self, long days)
{
    char text[11];
    ms_date_format((int32_t)days, text);
    out_field(self, text);
}

static void out_header(out_t *self, const char *const *names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        out_field(self, names[i]);
    out_end_row(self);
}

//  ---------------------------------------------------------------------------
//  The member register, one household at a time.

//  One member, as the register holds it. Strings are borrowed from the tables
//  or the generator, valid until the next call to member_next.
typedef struct {
    unsigned long long number;     //  1, 2, ... within the mutual
    unsigned long long household;  //  1, 2, ... within the mutual
    int size;                      //  people in this member's household
    const char *family;            //  family name
    const char *given;             //  given name
    char sex;                      //  'F' or 'M'
    long birth;                    //  days since 1970-01-01
    const char *village;           //  village name
    long joined;                   //  enrolment date, days since 1970-01-01
    int head;                      //  1 for the adherent, 0 for a beneficiary
    const char *relationship;      //  self, spouse, child, parent, other
    const char *status;            //  active, suspended, left
} member_t;

typedef struct {
    rng_t rng;                         //  the member stream
    long long n;                       //  members to write in all
    long long written;                 //  members written so far
    char villages[VILLAGE_COUNT][64];  //  this mutual's villages
    member_t row;                      //  the household being written, then the member
    int rank;                          //  0 for the head of household, 1 spouse, ...
    long enrolled;                     //  household's enrolment, days since 1970-01-01
} members_t;

static void members_start(members_t *self, const char *mutual, long long n, unsigned long long seed)
{
    memset(self, 0, sizeof *self);
    self->rng = rng_for("members", mutual, seed);
    self->n = n;
    for (int i = 0; i < VILLAGE_COUNT; i++) {
        const char *base = PICK(&self->rng, village_base);
        const char *suffix = PICK(&self->rng, village_suffix);
        snprintf(self->villages[i], sizeof self->villages[i], "%s%s", base, suffix);
    }
    self->rank = 0;
    self->row.size = 0;
}

static const int household_extra[] = {0, 1, 2, 3, 3, 4, 5, 6};
static const char *const other_relationships[] = {"child", "child", "child",  "child",
                                                  "child", "child", "parent", "other"};

//  Fills *row with the next member; returns 0 when all N are written.
static int members_next(members_t *self, const member_t **row_p)
{
    if (self->written >= self->n)
        return 0;
    rng_t *rng = &self->rng;
    member_t *row = &self->row;
    if (self->rank >= row->size) {
        row->household++;
        row->family = PICK(rng, family_names);
        row->village = self->villages[rng_int(rng, 0, VILLAGE_COUNT - 1)];
        self->enrolled = ms_date_days(2010, 1, 1) + rng_int(rng, 0, 5800);
        long long size = 1 + PICK(rng, household_extra);
        row->size = (int)(size < self->n - self->written ? size : self->n - self->written);
        self->rank = 0;
    }
    int k = self->rank++;
    row->number = (unsigned long long)++self->written;
    if (k == 1)
        row->sex = rng_chance(rng, 0.8) ? 'F' : 'M';
    else
        row->sex = rng_int(rng, 0, 1) ? 'M' : 'F';
    row->relationship = k == 0 ? "self" : k == 1 ? "spouse" : PICK(rng, other_relationships);
    int adult = row->relationship[0] == 's' || row->relationship[0] == 'p';
    long age = adult ? rng_int(rng, 20, 70) : rng_int(rng, 0, 19);
    row->birth = ms_date_days(2026, 1, 1) - (age * 365 + rng_int(rng, 0, 364));
    if (rng_chance(rng, 0.9))
        row->status = "active";
    else
        row->status = rng_int(rng, 0, 1) ? "left" : "suspended";
    row->given = row->sex == 'F' ? PICK(rng, given_f) : PICK(rng, given_m);
    //  A child born after the household joined is enrolled some weeks after birth.
    row->joined = self->enrolled > row->birth + 30 ? self->enrolled : row->birth + 30;
    row->head = k == 0;
    *row_p = row;
    return 1;
}

//  ---------------------------------------------------------------------------
//  The four outputs.

//  Options shared by every subcommand; unused ones keep their defaults.
typedef struct {
    const char *mutual;           //  org id of the mutual (CSV outputs)
    long long n;                  //  members in the register
    long long months;             //  contribution months, ending 2026-10
    long long count;              //  claims
    long long countries;          //  network: countries
    long long mutuals_per_union;  //  network: mutuals under each union
    unsigned long long seed;      //  varies everything
    int crlf;                     //  CRLF line ends
    int semicolon;                //  ';' separator
    int bom;                      //  UTF-8 byte order mark first
} options_t;

static void write_members(out_t *out, const options_t *opt)
{
    static const char *const header[] = {
        "member_id", "household_id",    "family_name", "given_name",   "sex",   "birth_date",
        "village",   "enrollment_date", "category",    "relationship", "status"};
    out_header(out, header, COUNT(header));
    char member_prefix[FIELD_MAX], household_prefix[FIELD_MAX];
    snprintf(member_prefix, sizeof member_prefix, "%s-", opt->mutual);
    snprintf(household_prefix, sizeof household_prefix, "%s-H", opt->mutual);
    members_t *members = malloc(sizeof *members);
    if (!members) {
        out->failed = 1;
        return;
    }
    members_start(members, opt->mutual, opt->n, opt->seed);
    const member_t *row;
    char sex[2] = {0, 0};
    while (members_next(members, &row)) {
        sex[0] = row->sex;
        out_id(out, member_prefix, row->number, 7);
        out_id(out, household_prefix, row->household, 6);
        out_field(out, row->family);
        out_field(out, row->given);
        out_field(out, sex);
        out_date(out, row->birth);
        out_field(out, row->village);
        out_date(out, row->joined);
        out_field(out, row->head ? "adherent" : "beneficiaire");
        out_field(out, row->relationship);
        out_field(out, row->status);
        out_end_row(out);
    }
    free(members);
}

//  One row per household and month: due 250 XOF per person, paid in full,
//  half or not at all; the date paid is empty when nothing was paid.
static void write_household_months(out_t *out, const options_t *opt, rng_t *rng,
                                   const char *household_prefix, unsigned long long household,
                                   int size)
{
    for (long long m = 0; m < opt->months; m++) {
        long long back = opt->months - 1 - m;
        long year = 2026 - (long)((back + 2) / 12);
        long month = (long)(((9 - back) % 12 + 12) % 12) + 1;
        long due = 250L * size;
        long paid = due;
        if (!rng_chance(rng, 0.72))
            paid = rng_chance(rng, 0.6) ? 0 : due / 2;
        long day = 1 + rng_int(rng, 0, 27);
        char period[16];
        format_uint(period, (unsigned long long)year, 4);
        period[4] = '-';
        format_uint(period + 5, (unsigned long long)month, 2);
        out_id(out, household_prefix, household, 6);
        out_field(out, period);
        out_uint(out, (unsigned long long)due);
        out_uint(out, (unsigned long long)paid);
        if (paid)
            out_date(out, ms_date_days(year, month, day));
        else
            out_field(out, "");
        out_end_row(out);
    }
}

static void write_contributions(out_t *out, const options_t *opt)
{
    static const char *const header[] = {"household_id", "period", "amount_due_xof",
                                         "amount_paid_xof", "paid_date"};
    out_header(out, header, COUNT(header));
    char household_prefix[FIELD_MAX];
    snprintf(household_prefix, sizeof household_prefix, "%s-H", opt->mutual);
    members_t *members = malloc(sizeof *members);
    if (!members) {
        out->failed = 1;
        return;
    }
    members_start(members, opt->mutual, opt->n, opt->seed);
    rng_t rng = rng_for("contributions", opt->mutual, opt->seed);
    const member_t *row;
    while (members_next(members, &row)) {
        if (members->rank == row->size)
            write_household_months(out, opt, &rng, household_prefix, row->household, row->size);
    }
    free(members);
}

//  Copies the first two characters (not bytes) of an org id: "ML-UTM-001" gives "ML".
static void country_prefix(const char *mutual, char *prefix, size_t size)
{
    size_t len = 0;
    int chars = 0;
    while (mutual[len] && len + 1 < size) {
        if (((unsigned char)mutual[len] & 0xC0) != 0x80 && chars++ == 2)
            break;
        len++;
    }
    memcpy(prefix, mutual, len);
    prefix[len] = '\0';
}

static void write_claims(out_t *out, const options_t *opt)
{
    static const char *const header[] = {"claim_id",    "member_id",     "provider_id",
                                         "care_date",   "care_type",     "billed_xof",
                                         "covered_xof", "generic_drugs", "status"};
    static const int rates[] = {50, 75, 80};
    static const char *const statuses[] = {"paid", "paid", "paid", "paid",    "paid",
                                           "paid", "paid", "paid", "pending", "rejected"};
    out_header(out, header, COUNT(header));
    char claim_prefix[FIELD_MAX], member_prefix[FIELD_MAX], provider_prefix[FIELD_MAX];
    char country[16];  //  two UTF-8 characters at most
    country_prefix(opt->mutual, country, sizeof country);
    snprintf(claim_prefix, sizeof claim_prefix, "%s-C", opt->mutual);
    snprintf(member_prefix, sizeof member_prefix, "%s-", opt->mutual);
    snprintf(provider_prefix, sizeof provider_prefix, "%s-CS-", country);
    rng_t rng = rng_for("claims", opt->mutual, opt->seed);
    long start = ms_date_days(2025, 11, 1);
    for (long long c = 1; c <= opt->count; c++) {
        long pick = rng_int(&rng, 0, 99);
        size_t kind = 0;
        while (pick >= care_types[kind].weight)
            pick -= care_types[kind++].weight;
        const care_t *care = &care_types[kind];
        long billed = rng_int(&rng, care->lo, care->hi) / 50 * 50;
        int rate = strcmp(care->name, "sonu") == 0 ? 100 : PICK(&rng, rates);
        long when = start + rng_int(&rng, 0, 364);
        long member = rng_int(&rng, 1, (long)opt->n);
        long provider = rng_int(&rng, 1, 7);
        const char *generic = rng_chance(&rng, 0.8) ? "yes" : "no";
        out_id(out, claim_prefix, (unsigned long long)c, 7);
        out_id(out, member_prefix, (unsigned long long)member, 7);
        out_id(out, provider_prefix, (unsigned long long)provider, 3);
        out_date(out, when);
        out_field(out, care->name);
        out_uint(out, (unsigned long long)billed);
        out_uint(out, (unsigned long long)(billed * rate / 100 / 50 * 50));
        out_field(out, generic);
        out_field(out, PICK(&rng, statuses));
        out_end_row(out);
    }
}

//  JSON string with the escapes RFC 8259 §7 requires; UTF-8 passes through.
static void json_string(FILE *file, const char *text)
{
    fputc('"', file);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(file, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(file, "\\u%04x", *p);
        else
            fputc(*p, file);
    }
    fputc('"', file);
}

static void json_member(FILE *file, const char *key, const char *value, int last)
{
    fputs("   ", file);
    json_string(file, key);
    fputs(": ", file);
    if (value)
        json_string(file, value);
    else
        fputs("null", file);
    fputs(last ? "\n" : ",\n", file);
}

//  The network as JSON, laid out as Python's json.dump(indent=1) would.
static void write_network(FILE *file, const options_t *opt)
{
    rng_t rng = rng_for("network", "", opt->seed);
    size_t country_count = (size_t)opt->countries;
    if (country_count > COUNT(countries))
        country_count = COUNT(countries);
    fprintf(file, "{\n \"seed\": %llu,\n \"nodes\": [\n  {\n", opt->seed);
    json_member(file, "org", "WCA-SECRETARIAT", 0);
    json_member(file, "role", "secretariat", 0);
    json_member(file, "country", "SN", 0);
    json_member(file, "name", "Secrétariat technique de la Concertation (Dakar)", 0);
    json_member(file, "parent", NULL, 1);
    fputs("  }", file);
    for (size_t c = 0; c < country_count; c++) {
        const country_t *country = &countries[c];
        fputs(",\n  {\n", file);
        json_member(file, "org", country->union_id, 0);
        json_member(file, "role", "union", 0);
        json_member(file, "country", country->code, 0);
        json_member(file, "name", country->union_name, 0);
        json_member(file, "parent", "WCA-SECRETARIAT", 1);
        fputs("  }", file);
        for (long long i = 0; i < opt->mutuals_per_union; i++) {
            char org[64], name[160], created[16];
            snprintf(org, sizeof org, "%s-%03lld", country->union_id, i + 1);
            int town_count = (int)COUNT(country->towns);
            int written = snprintf(name, sizeof name, "Mutuelle de santé de %s",
                                   country->towns[i % town_count]);
            if (i >= town_count && written > 0 && (size_t)written < sizeof name)
                snprintf(name + written, sizeof name - (size_t)written, " %lld",
                         i / town_count + 1);
            long year = rng_int(&rng, 1995, 2024);
            long month = rng_int(&rng, 1, 12);
            snprintf(created, sizeof created, "%ld-%02ld-01", year, month);
            long target = rng_int(&rng, 2000, 60000);
            fputs(",\n  {\n", file);
            json_member(file, "org", org, 0);
            json_member(file, "role", "mutual", 0);
            json_member(file, "country", country->code, 0);
            json_member(file, "name", name, 0);
            json_member(file, "parent", country->union_id, 0);
            json_member(file, "created", created, 0);
            fprintf(file, "   \"target_population\": %ld\n  }", target);
        }
    }
    fputs("\n ]\n}\n", file);
}

//  ---------------------------------------------------------------------------
//  Command line.

static void usage(FILE *file)
{
    fputs("usage: ms-gendata members       --mutual ID [--n N] [--seed S] [CSV options]\n"
          "       ms-gendata contributions --mutual ID [--n N] [--months K] [--seed S] [CSV "
          "options]\n"
          "       ms-gendata claims        --mutual ID [--n N] [--count C] [--seed S] [CSV "
          "options]\n"
          "       ms-gendata network       [--countries N] [--mutuals-per-union M] [--seed S]\n"
          "\n"
          "Deterministic sample data on stdout: the same arguments give the same bytes.\n"
          "Defaults: --n 5000, --months 12, --count 2000, --seed 1, --countries 11,\n"
          "--mutuals-per-union 8. Contributions match the members of the same\n"
          "--mutual, --n and --seed.\n"
          "\n"
          "CSV options (UTF-8, header line, RFC 4180 quoting; default comma and LF):\n"
          "  --crlf       end lines with CR LF\n"
          "  --semicolon  separate fields with ';' (French spreadsheet locale)\n"
          "  --bom        start with a UTF-8 byte order mark\n",
          file);
}

static int parse_count(const char *name, const char *text, long long max, long long *value_p)
{
    char *end;
    errno = 0;
    long long value = text ? strtoll(text, &end, 10) : 0;
    if (!text || errno || end == text || *end || value < 0 || value > max) {
        fprintf(stderr, "ms-gendata: %s wants a whole number from 0 to %lld\n", name, max);
        return -1;
    }
    *value_p = value;
    return 0;
}

//  Reads --flag VALUE pairs and switches into *opt; returns 0 or -1 (message printed).
static int parse_options(int argc, char **argv, options_t *opt)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--crlf") == 0) {
            opt->crlf = 1;
            continue;
        }
        if (strcmp(arg, "--semicolon") == 0) {
            opt->semicolon = 1;
            continue;
        }
        if (strcmp(arg, "--bom") == 0) {
            opt->bom = 1;
            continue;
        }
        static const char *const valued[] = {"--mutual", "--n",         "--months",
                                             "--count",  "--countries", "--mutuals-per-union",
                                             "--seed"};
        size_t known = 0;
        while (known < COUNT(valued) && strcmp(arg, valued[known]))
            known++;
        if (known == COUNT(valued)) {
            fprintf(stderr, "ms-gendata: unknown option '%s'\n", arg);
            return -1;
        }
        const char *value = i + 1 < argc ? argv[++i] : NULL;
        long long seed = 0;
        int rc = 0;
        if (!value) {
            fprintf(stderr, "ms-gendata: %s wants a value\n", arg);
            return -1;
        } else if (strcmp(arg, "--mutual") == 0)
            opt->mutual = value;
        else if (strcmp(arg, "--n") == 0)
            rc = parse_count(arg, value, N_MAX, &opt->n);
        else if (strcmp(arg, "--months") == 0)
            rc = parse_count(arg, value, 1200, &opt->months);
        else if (strcmp(arg, "--count") == 0)
            rc = parse_count(arg, value, N_MAX, &opt->count);
        else if (strcmp(arg, "--countries") == 0)
            rc = parse_count(arg, value, 1000, &opt->countries);
        else if (strcmp(arg, "--mutuals-per-union") == 0)
            rc = parse_count(arg, value, 999, &opt->mutuals_per_union);
        else if (strcmp(arg, "--seed") == 0) {
            rc = parse_count(arg, value, 0x7fffffffffffffffLL, &seed);
            opt->seed = (unsigned long long)seed;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static int check_mutual(const options_t *opt)
{
    if (!opt->mutual || !*opt->mutual) {
        fputs("ms-gendata: --mutual ID is required\n", stderr);
        return -1;
    }
    if (strlen(opt->mutual) > FIELD_MAX - 16) {
        fputs("ms-gendata: --mutual is too long\n", stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *what = argv[1];
    if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0 || strcmp(what, "help") == 0) {
        usage(stdout);
        return 0;
    }
    options_t opt = {NULL, 5000, 12, 2000, 11, 8, 1, 0, 0, 0};
    if (parse_options(argc, argv, &opt))
        return 2;

    if (strcmp(what, "network") == 0) {
        if (opt.crlf || opt.semicolon || opt.bom || opt.mutual) {
            fputs("ms-gendata: network takes --countries, --mutuals-per-union, --seed\n", stderr);
            return 2;
        }
        write_network(stdout, &opt);
        return fflush(stdout) || ferror(stdout) ? 1 : 0;
    }

    void (*writer)(out_t *, const options_t *) = NULL;
    if (strcmp(what, "members") == 0)
        writer = write_members;
    else if (strcmp(what, "contributions") == 0)
        writer = write_contributions;
    else if (strcmp(what, "claims") == 0)
        writer = write_claims;
    if (!writer) {
        fprintf(stderr, "ms-gendata: unknown output '%s'\n", what);
        usage(stderr);
        return 2;
    }
    if (check_mutual(&opt))
        return 2;
    if (writer == write_claims && opt.n == 0 && opt.count > 0) {
        fputs("ms-gendata: claims need members: --n at least 1\n", stderr);
        return 2;
    }

    out_t *out = calloc(1, sizeof *out);
    if (!out) {
        fputs("ms-gendata: out of memory\n", stderr);
        return 1;
    }
    out->file = stdout;
    out->sep = opt.semicolon ? ';' : ',';
    out->eol = opt.crlf ? "\r\n" : "\n";
    if (opt.bom)
        out_text(out, "\xEF\xBB\xBF");
    writer(out, &opt);
    out_flush(out);
    int failed = out->failed || fflush(stdout) || ferror(stdout);
    free(out);
    if (failed) {
        fputs("ms-gendata: cannot write output\n", stderr);
        return 1;
    }
    return 0;
}
