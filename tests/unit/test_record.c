//  test_record - typed record values (member, org card, certificate,
//  revocation) and calendar dates.
//
//  Text longer than a record holds cannot come from our encoders (the
//  structs have no room for it), so those inputs are written by hand.

#include "mutsync/record.h"

#include "mutsync/date.h"
#include "mutsync/registers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t data[4096];
    size_t len;
} pb_t;

static void pb_varint(pb_t *pb, uint64_t value)
{
    do {
        assert_true(pb->len < sizeof pb->data);
        pb->data[pb->len++] = (uint8_t)(value >= 0x80 ? value | 0x80 : value);
        value >>= 7;
    } while (value);
}

static void pb_uint(pb_t *pb, unsigned field, uint64_t value)
{
    pb_varint(pb, field << 3);
    pb_varint(pb, value);
}

static void pb_bytes(pb_t *pb, unsigned field, const void *bytes, size_t len)
{
    pb_varint(pb, field << 3 | 2);
    pb_varint(pb, len);
    assert_true(pb->len + len <= sizeof pb->data);
    memcpy(pb->data + pb->len, bytes, len);
    pb->len += len;
}

static void pb_text(pb_t *pb, unsigned field, size_t len)
{
    char text[1024];
    assert_true(len <= sizeof text);
    memset(text, 't', len);
    pb_bytes(pb, field, text, len);
}

static ms_member_t sample_member(void)
{
    ms_member_t member;
    memset(&member, 0, sizeof member);
    strcpy(member.household_id, "H-0042");
    strcpy(member.family_name, "Traoré");
    strcpy(member.given_name, "Awa");
    member.sex = MS_SEX_F;
    member.birth_date = -3650;
    strcpy(member.village, "Ségou");
    member.enrollment_date = 19732;
    member.category = MS_CATEGORY_BENEFICIAIRE;
    member.relationship = MS_REL_SPOUSE;
    member.status = MS_STATUS_SUSPENDED;
    return member;
}

static void test_member_roundtrip(void **state)
{
    (void)state;
    ms_member_t member = sample_member(), back;
    uint8_t buf[1024];
    size_t len = 0;
    assert_int_equal(ms_member_encode(&member, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_member_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&member, &back, sizeof member);
    assert_int_equal(ms_record_check(MS_COLL_MEMBER, buf, len, NULL), 0);

    //  Every text field at its limit still fits.
    memset(member.household_id, 'h', MS_ID_MAX);
    memset(member.family_name, 'f', MS_NAME_MAX);
    memset(member.given_name, 'g', MS_NAME_MAX);
    memset(member.village, 'v', MS_NAME_MAX);
    assert_int_equal(ms_member_encode(&member, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_member_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&member, &back, sizeof member);
}

static void test_member_encode_refuses_small_buffer(void **state)
{
    (void)state;
    ms_member_t member = sample_member();
    uint8_t buf[1024];
    size_t len = 0, small_len = 0;
    assert_int_equal(ms_member_encode(&member, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_member_encode(&member, buf, len, &small_len), 0);
    assert_int_equal(small_len, len);
    assert_int_equal(ms_member_encode(&member, buf, len - 1, &small_len), MS_EINVAL);
}

static void check_member_text_limit(unsigned field, size_t max, const char *name)
{
    pb_t pb = {0};
    pb_text(&pb, field, max);
    ms_member_t member;
    ms_error_t err = {0};
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, &err), 0);

    pb.len = 0;
    pb_text(&pb, field, max + 1);
    memset(&member, 0x5a, sizeof member);
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, &err), MS_EINVAL);
    char why[128];
    snprintf(why, sizeof why, "%s is %zu bytes, the limit is %zu", name, max + 1, max);
    assert_string_equal(err.message, why);
    ms_member_t zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&member, &zero, sizeof member);  //  nothing half-made
    assert_int_equal(ms_record_check(MS_COLL_MEMBER, pb.data, pb.len, NULL), MS_EINVAL);
}

static void test_member_text_over_limits_refused(void **state)
{
    (void)state;
    check_member_text_limit(1, MS_ID_MAX, "household_id");
    check_member_text_limit(2, MS_NAME_MAX, "family_name");
    check_member_text_limit(3, MS_NAME_MAX, "given_name");
    check_member_text_limit(6, MS_NAME_MAX, "village");
}

static void test_member_unknown_enum_refused(void **state)
{
    (void)state;
    static const struct {
        unsigned field;
        uint64_t largest;
    } enums[] = {{4, MS_SEX_M}, {8, MS_CATEGORY_BENEFICIAIRE}, {9, MS_REL_OTHER}, {10, 3}};
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        pb_t pb = {0};
        ms_member_t member;
        pb_uint(&pb, enums[i].field, enums[i].largest);
        assert_int_equal(ms_member_decode(pb.data, pb.len, &member, NULL), 0);
        pb.len = 0;
        pb_uint(&pb, enums[i].field, enums[i].largest + 1);
        ms_error_t err = {0};
        assert_int_equal(ms_member_decode(pb.data, pb.len, &member, &err), MS_EINVAL);
        assert_non_null(strstr(err.message, "unknown enum value"));
        assert_int_equal(member.sex, 0);
    }
}

static void test_member_garbage_refused(void **state)
{
    (void)state;
    static const uint8_t garbage[] = {0x0a, 0x40, 'H'};  //  64 bytes claimed, 1 given
    ms_member_t member;
    ms_error_t err = {0};
    assert_int_equal(ms_member_decode(garbage, sizeof garbage, &member, &err), MS_EINVAL);
    assert_string_equal(err.message, "not a valid member record");
}

//  One field of a member record as bytes on the wire, to write in any order.
typedef struct {
    unsigned field;
    const char *text;  //  a string field (LEN bytes), or NULL for a varint
    size_t len;
    uint64_t number;
} wire_field_t;

static void wire_write(pb_t *pb, const wire_field_t *fields, size_t count, bool reverse)
{
    pb->len = 0;
    for (size_t i = 0; i < count; i++) {
        const wire_field_t *f = &fields[reverse ? count - 1 - i : i];
        if (f->text)
            pb_bytes(pb, f->field, f->text, f->len);
        else
            pb_uint(pb, f->field, f->number);
    }
}

static uint64_t zigzag(int64_t value)
{
    return value < 0 ? ((uint64_t)(-(value + 1)) << 1) | 1 : (uint64_t)value << 1;
}

//  Members in field order are read by a direct path, in any other order by
//  protobuf-c: both must give the same member, or refuse it alike.
static void test_member_read_alike_in_any_field_order(void **state)
{
    (void)state;
    char long_id[MS_ID_MAX + 1], too_long_id[MS_ID_MAX + 2], long_name[MS_NAME_MAX + 1];
    memset(long_id, 'h', sizeof long_id - 1);
    memset(too_long_id, 'h', sizeof too_long_id - 1);
    memset(long_name, 'n', sizeof long_name - 1);
    struct {
        const char *what;
        wire_field_t fields[12];
        size_t count;
        int rc;
    } cases[] = {
        {"typical",
         {{1, "ML-UTM-001-H000004", 18, 0},
          {2, "Traor\xc3\xa9", 7, 0},
          {3, "Awa", 3, 0},
          {4, NULL, 0, 1},
          {5, NULL, 0, zigzag(-3650)},
          {6, "S\xc3\xa9gou", 6, 0},
          {7, NULL, 0, zigzag(19000)},
          {8, NULL, 0, 2},
          {9, NULL, 0, 5},
          {10, NULL, 0, 3}},
         10,
         0},
        {"not UTF-8", {{1, "H1", 2, 0}, {2, "\xff\xfe", 2, 0}, {3, "", 0, 0}}, 3, 0},
        {"longest id", {{1, long_id, MS_ID_MAX, 0}, {2, "D", 1, 0}}, 2, 0},
        {"id too long", {{1, too_long_id, MS_ID_MAX + 1, 0}, {2, "D", 1, 0}}, 2, MS_EINVAL},
        {"NUL in a name", {{1, "H1", 2, 0}, {6, "Ni\0ono", 6, 0}}, 2, 0},
        {"extreme dates",
         {{1, "H1", 2, 0}, {5, NULL, 0, 0xffffffffu}, {7, NULL, 0, 0xfffffffeu}},
         3,
         0},
        {"unknown sex", {{1, "H1", 2, 0}, {4, NULL, 0, 3}}, 2, MS_EINVAL},
        {"negative status", {{1, "H1", 2, 0}, {10, NULL, 0, UINT64_MAX}}, 2, -1},
        {"unknown field", {{1, "H1", 2, 0}, {11, NULL, 0, 7}, {12, "x", 1, 0}}, 3, 0},
        {"longest name", {{1, "H1", 2, 0}, {2, long_name, MS_NAME_MAX, 0}}, 2, 0},
        {"name as a number", {{1, "H1", 2, 0}, {2, NULL, 0, 5}}, 2, -1},
        {"sex as text", {{1, "H1", 2, 0}, {4, "F", 1, 0}}, 2, -1},
        {"date of 5 bytes", {{1, "H1", 2, 0}, {5, NULL, 0, 0x80000000u}}, 2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pb_t forward, backward;
        wire_write(&forward, cases[i].fields, cases[i].count, false);
        wire_write(&backward, cases[i].fields, cases[i].count, true);
        ms_member_t a, b;
        memset(&a, 0x5a, sizeof a);
        memset(&b, 0xa5, sizeof b);
        int rc_a = ms_member_decode(forward.data, forward.len, &a, NULL);
        int rc_b = ms_member_decode(backward.data, backward.len, &b, NULL);
        if (rc_a != rc_b || memcmp(&a, &b, sizeof a) != 0)
            fail_msg("%s: read otherwise in another field order (%d, %d)", cases[i].what, rc_a,
                     rc_b);
        if (cases[i].rc >= 0)
            assert_int_equal(rc_a, cases[i].rc);
        //  The check accept makes says what the decoder says, in either order.
        assert_int_equal(ms_record_check(MS_COLL_MEMBER, forward.data, forward.len, NULL), rc_a);
        assert_int_equal(ms_record_check(MS_COLL_MEMBER, backward.data, backward.len, NULL), rc_b);
    }
    //  What each path makes of a few of them.
    pb_t pb;
    ms_member_t member;
    wire_write(&pb, cases[0].fields, cases[0].count, false);
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, NULL), 0);
    assert_string_equal(member.family_name, "Traor\xc3\xa9");
    assert_int_equal(member.birth_date, -3650);
    assert_int_equal(member.status, MS_STATUS_LEFT);
    wire_write(&pb, cases[4].fields, cases[4].count, false);
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, NULL), 0);
    assert_string_equal(member.village, "Ni");
    wire_write(&pb, cases[5].fields, cases[5].count, false);
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, NULL), 0);
    assert_int_equal(member.birth_date, INT32_MIN);
    assert_int_equal(member.enrollment_date, INT32_MAX);
    //  A field given twice: the last one counts, as protobuf says.
    const wire_field_t twice[] = {{1, "H1", 2, 0}, {1, "H2", 2, 0}, {2, "D", 1, 0}};
    wire_write(&pb, twice, 3, false);
    assert_int_equal(ms_member_decode(pb.data, pb.len, &member, NULL), 0);
    assert_string_equal(member.household_id, "H2");
}

//  A member is written byte for byte as protobuf would: fields in order, a
//  zero or empty one left out (a stored record compares equal to the same
//  row imported again, whichever version wrote it).
static void test_member_written_in_canonical_form(void **state)
{
    (void)state;
    ms_member_t member = sample_member();
    member.given_name[0] = 0;
    member.relationship = MS_REL_NONE;
    member.enrollment_date = 0;
    pb_t pb = {.len = 0};
    pb_bytes(&pb, 1, member.household_id, strlen(member.household_id));
    pb_bytes(&pb, 2, member.family_name, strlen(member.family_name));
    pb_uint(&pb, 4, member.sex);
    pb_uint(&pb, 5, zigzag(member.birth_date));
    pb_bytes(&pb, 6, member.village, strlen(member.village));
    pb_uint(&pb, 8, member.category);
    pb_uint(&pb, 10, member.status);
    uint8_t buf[1024];
    size_t len = 0;
    assert_int_equal(ms_member_encode(&member, buf, sizeof buf, &len), 0);
    assert_int_equal(len, pb.len);
    assert_memory_equal(buf, pb.data, len);
    assert_int_equal(ms_member_encode(&member, buf, len - 1, &len), MS_EINVAL);
}

//  The month of a date is the one its written form names, 0 outside
//  1900-01..2100-12, over days from years before 1 to past 12100.
static void test_month_of_date_is_that_of_its_written_form(void **state)
{
    (void)state;
    for (int64_t days = -1000000; days < 4500000; days += 13) {
        char date[11];
        ms_date_format((int32_t)days, date);
        date[7] = 0;
        uint32_t month = 0;
        if (ms_month_parse(date, &month) != 0)
            month = 0;
        if (ms_month_of_date((int32_t)days) != month)
            fail_msg("day %lld: month %u, written %s", (long long)days,
                     ms_month_of_date((int32_t)days), date);
    }
    assert_int_equal(ms_month_of_date(ms_date_days(2024, 2, 29)), 202402);
    assert_int_equal(ms_month_of_date(ms_date_days(1899, 12, 31)), 0);
}

static ms_org_t sample_org(void)
{
    ms_org_t org;
    memset(&org, 0, sizeof org);
    strcpy(org.name, "Union Technique de la Mutualité Malienne");
    strcpy(org.country, "ML");
    org.role = MS_ROLE_UNION;
    strcpy(org.parent, "SN-CONCERTATION");
    org.created = 8766;
    strcpy(org.legal_status, "union de mutuelles");
    strcpy(org.commune, "Bamako");
    org.target_population = 21000000;
    org.covers_primary_care = true;
    org.covers_hospitalization = true;
    org.covers_childbirth = false;
    org.covers_sonu = true;
    org.covers_drugs = true;
    strcpy(org.contribution_scheme, "per person per month");
    strcpy(org.support_partner, "ANAM");
    org.provider_count = 2;
    strcpy(org.providers[0], "CSREF-KATI");
    strcpy(org.providers[1], "CSCOM-SEGOU-1");
    org.governance_members = 12;
    org.governance_women = 5;
    strcpy(org.focal_point, "secrétaire général");
    return org;
}

static void test_org_roundtrip(void **state)
{
    (void)state;
    ms_org_t org = sample_org(), back;
    uint8_t buf[MS_VALUE_MAX];
    size_t len = 0;
    assert_int_equal(ms_org_encode(&org, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_org_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&org, &back, sizeof org);

    org.provider_count = MS_ORG_PROVIDERS_MAX;
    for (size_t i = 0; i < MS_ORG_PROVIDERS_MAX; i++) {
        memset(org.providers[i], 'p', MS_ID_MAX);
        org.providers[i][0] = (char)('A' + i);
    }
    assert_int_equal(ms_org_encode(&org, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_org_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&org, &back, sizeof org);
    assert_int_equal(ms_record_check(MS_COLL_ORG, buf, len, NULL), 0);
}

static void test_org_over_limits_refused(void **state)
{
    (void)state;
    ms_org_t org;
    ms_error_t err = {0};
    pb_t pb = {0};
    for (int i = 0; i < MS_ORG_PROVIDERS_MAX + 1; i++)
        pb_text(&pb, 16, 4);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), MS_EINVAL);
    assert_string_equal(err.message, "33 providers, the limit is 32");
    assert_int_equal(org.provider_count, 0);

    pb.len = 0;
    pb_text(&pb, 2, 2);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), 0);
    pb.len = 0;
    pb_text(&pb, 2, 3);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), MS_EINVAL);
    assert_string_equal(err.message, "country is 3 bytes, the limit is 2");

    pb.len = 0;
    pb_text(&pb, 14, MS_TEXT_MAX);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), 0);
    pb.len = 0;
    pb_text(&pb, 14, MS_TEXT_MAX + 1);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), MS_EINVAL);
    assert_string_equal(err.message, "contribution_scheme is 257 bytes, the limit is 256");

    pb.len = 0;
    pb_text(&pb, 16, MS_ID_MAX + 1);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), MS_EINVAL);
    assert_string_equal(err.message, "provider is 65 bytes, the limit is 64");

    pb.len = 0;
    pb_uint(&pb, 3, MS_ROLE_SECRETARIAT + 1);
    assert_int_equal(ms_org_decode(pb.data, pb.len, &org, &err), MS_EINVAL);
    assert_string_equal(err.message, "unknown role 4");
    assert_int_equal(org.role, MS_ROLE_NONE);
}

static ms_cert_t sample_cert(void)
{
    ms_cert_t cert;
    memset(&cert, 0, sizeof cert);
    strcpy(cert.name, "Mutuelle de Maliando");
    cert.role = MS_ROLE_MUTUAL;
    strcpy(cert.country, "GN");
    strcpy(cert.parent, "GN-UMG");
    for (int i = 0; i < MS_KEY_BYTES; i++)
        cert.key[i] = (uint8_t)(0xc0 + i);
    cert.valid_from = 1767225600;
    cert.valid_until = 1893456000;
    return cert;
}

static void test_cert_roundtrip(void **state)
{
    (void)state;
    ms_cert_t cert = sample_cert(), back;
    uint8_t buf[1024];
    size_t len = 0;
    assert_int_equal(ms_cert_encode(&cert, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_cert_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&cert, &back, sizeof cert);
    assert_int_equal(ms_record_check(MS_COLL_CERT, buf, len, NULL), 0);
}

static void test_cert_without_role_or_with_short_key_refused(void **state)
{
    (void)state;
    ms_cert_t cert = sample_cert(), back;
    uint8_t buf[1024];
    size_t len = 0;
    ms_error_t err = {0};
    cert.role = MS_ROLE_NONE;
    assert_int_equal(ms_cert_encode(&cert, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_cert_decode(buf, len, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "certificate has no valid role");
    assert_int_equal(ms_record_check(MS_COLL_CERT, buf, len, NULL), MS_EINVAL);

    pb_t pb = {0};
    uint8_t key[MS_KEY_BYTES] = {0};
    pb_uint(&pb, 2, MS_ROLE_MUTUAL);
    pb_bytes(&pb, 5, key, MS_KEY_BYTES - 1);
    assert_int_equal(ms_cert_decode(pb.data, pb.len, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "certificate key is 31 bytes, expected 32");
    pb.len = 0;
    pb_uint(&pb, 2, MS_ROLE_SECRETARIAT + 1);
    pb_bytes(&pb, 5, key, MS_KEY_BYTES);
    assert_int_equal(ms_cert_decode(pb.data, pb.len, &back, &err), MS_EINVAL);
    pb.len = 0;
    pb_uint(&pb, 2, MS_ROLE_SECRETARIAT);
    pb_bytes(&pb, 5, key, MS_KEY_BYTES);
    pb_text(&pb, 4, MS_ORG_MAX + 1);
    assert_int_equal(ms_cert_decode(pb.data, pb.len, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "parent is 65 bytes, the limit is 64");
}

static void test_revocation_roundtrip(void **state)
{
    (void)state;
    ms_revocation_t revocation, back;
    memset(&revocation, 0, sizeof revocation);
    memset(revocation.key, 0xab, MS_KEY_BYTES);
    revocation.from = 1767225600;
    memset(revocation.reason, 'r', MS_TEXT_MAX);
    uint8_t buf[1024];
    size_t len = 0;
    assert_int_equal(ms_revocation_encode(&revocation, buf, sizeof buf, &len), 0);
    assert_int_equal(ms_revocation_decode(buf, len, &back, NULL), 0);
    assert_memory_equal(&revocation, &back, sizeof revocation);
    assert_int_equal(ms_record_check(MS_COLL_REVOCATION, buf, len, NULL), 0);
}

static void test_revocation_over_limits_refused(void **state)
{
    (void)state;
    ms_revocation_t back;
    ms_error_t err = {0};
    uint8_t key[MS_KEY_BYTES + 1] = {0};
    pb_t pb = {0};
    pb_bytes(&pb, 1, key, MS_KEY_BYTES);
    pb_text(&pb, 3, MS_TEXT_MAX + 1);
    assert_int_equal(ms_revocation_decode(pb.data, pb.len, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "reason is 257 bytes, the limit is 256");
    pb.len = 0;
    pb_bytes(&pb, 1, key, MS_KEY_BYTES + 1);
    assert_int_equal(ms_revocation_decode(pb.data, pb.len, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "revoked key is 33 bytes, expected 32");
    assert_int_equal(ms_revocation_decode(pb.data, 0, &back, &err), MS_EINVAL);
    assert_string_equal(err.message, "revoked key is 0 bytes, expected 32");
}

static void test_record_check_refuses_garbage_in_every_collection(void **state)
{
    (void)state;
    static const uint8_t garbage[] = {0xff, 0xff};  //  a tag that never ends
    for (int collection = MS_COLL_ORG; collection < MS_COLL_COUNT; collection++) {
        ms_error_t err = {0};
        if (ms_record_check((ms_collection_t)collection, garbage, sizeof garbage, &err) !=
            MS_EINVAL)
            fail_msg("%s took garbage for a record", ms_collection_name(collection));
        assert_non_null(strstr(err.message, "not a valid"));
    }
}

static void test_names_roundtrip(void **state)
{
    (void)state;
    assert_string_equal(ms_role_name(MS_ROLE_SECRETARIAT), "secretariat");
    for (int role = MS_ROLE_MUTUAL; role <= MS_ROLE_SECRETARIAT; role++)
        assert_int_equal(ms_role_from_name(ms_role_name((ms_role_t)role)), role);
    assert_int_equal(ms_role_from_name("Union"), MS_ROLE_NONE);
    assert_int_equal(ms_role_from_name(""), MS_ROLE_NONE);
    assert_string_equal(ms_role_name((ms_role_t)9), "");
    assert_string_equal(ms_sex_name(MS_SEX_F), "F");
    assert_string_equal(ms_category_name(MS_CATEGORY_ADHERENT), "adherent");
    assert_string_equal(ms_relationship_name(MS_REL_CHILD), "child");
    assert_string_equal(ms_member_status_name(MS_STATUS_LEFT), "left");
    assert_string_equal(ms_member_status_name((ms_member_status_t)-1), "");
}

static void check_date(const char *text, int32_t expected)
{
    int32_t days = 12345;
    assert_int_equal(ms_date_parse(text, &days), 0);
    assert_int_equal(days, expected);
    char out[11];
    ms_date_format(days, out);
    assert_string_equal(out, text);
}

static void test_dates_roundtrip(void **state)
{
    (void)state;
    check_date("1900-01-01", -25567);
    check_date("1970-01-01", 0);
    check_date("2000-02-29", 11016);
    check_date("2100-12-31", 47846);
    check_date("1969-12-31", -1);
    check_date("2024-02-29", 19782);
    check_date("1900-02-28", -25509);
    check_date("2023-12-31", 19722);
    check_date("2023-02-28", 19416);
    for (int32_t days = -25567; days <= 47846; days += 97) {
        char out[11];
        int32_t back = 0;
        ms_date_format(days, out);
        assert_int_equal(ms_date_parse(out, &back), 0);
        assert_int_equal(back, days);
    }
}

static void check_not_a_date(const char *text)
{
    int32_t days = 12345;
    if (ms_date_parse(text, &days) != MS_EINVAL)
        fail_msg("\"%s\" taken for a date", text);
    assert_int_equal(days, 0);
}

static void test_dates_refused(void **state)
{
    (void)state;
    check_not_a_date("2019-02-31");
    check_not_a_date("2023-02-29");  //  not a leap year
    check_not_a_date("2019-01-1/");  //  the byte before '0'
    check_not_a_date("2019-01-1:");  //  the byte after '9'
    check_not_a_date("2019-01-1\xd9");
    check_not_a_date("2019-06-31");
    check_not_a_date("2100-02-29");  //  not a leap year: divisible by 100
    check_not_a_date("1900-02-29");
    check_not_a_date("1899-12-31");  //  before the range
    check_not_a_date("2101-01-01");  //  after it
    check_not_a_date("2019-2-3");
    check_not_a_date("2019-04-31");
    check_not_a_date("2019-13-01");
    check_not_a_date("2019-00-10");
    check_not_a_date("2019-01-00");
    check_not_a_date("2019/01/10");
    check_not_a_date("2019-01-1a");
    check_not_a_date("2019-01-10 ");
    check_not_a_date("+019-01-10");
    check_not_a_date("");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_roundtrip),
        cmocka_unit_test(test_member_encode_refuses_small_buffer),
        cmocka_unit_test(test_member_text_over_limits_refused),
        cmocka_unit_test(test_member_unknown_enum_refused),
        cmocka_unit_test(test_member_garbage_refused),
        cmocka_unit_test(test_member_read_alike_in_any_field_order),
        cmocka_unit_test(test_member_written_in_canonical_form),
        cmocka_unit_test(test_month_of_date_is_that_of_its_written_form),
        cmocka_unit_test(test_org_roundtrip),
        cmocka_unit_test(test_org_over_limits_refused),
        cmocka_unit_test(test_cert_roundtrip),
        cmocka_unit_test(test_cert_without_role_or_with_short_key_refused),
        cmocka_unit_test(test_revocation_roundtrip),
        cmocka_unit_test(test_revocation_over_limits_refused),
        cmocka_unit_test(test_record_check_refuses_garbage_in_every_collection),
        cmocka_unit_test(test_names_roundtrip),
        cmocka_unit_test(test_dates_roundtrip),
        cmocka_unit_test(test_dates_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
