//  fuzz_envelope - bytes from a peer or a file, as accept reads them: an
//  envelope, the change set in its body, and the record in each change.
//  Also the bytes as a bare change-set body. Nothing may crash, leak or read
//  astray; every refusal carries a message; whatever the decoder accepts is
//  within the bounds and our encoder writes it back to the same fields.

#include "fuzz.h"

#include "mutsync/codec.h"
#include "mutsync/envelope.h"
#include "mutsync/record.h"

#include <stdlib.h>
#include <string.h>

static void check_error(int rc, const ms_error_t *err)
{
    if (rc != 0 && (err->code != rc || err->message[0] == '\0'))
        abort();
}

static void check_same(const ms_changeset_t *a, const ms_changeset_t *b)
{
    if (strcmp(a->origin, b->origin) != 0 || strcmp(a->feed, b->feed) != 0 || a->seq != b->seq ||
        a->created != b->created || memcmp(a->signer, b->signer, MS_KEY_BYTES) != 0 ||
        memcmp(a->prev, b->prev, MS_HASH_BYTES) != 0 || a->change_count != b->change_count)
        abort();
    for (size_t i = 0; i < a->change_count; i++) {
        const ms_change_t *x = &a->changes[i], *y = &b->changes[i];
        if (x->collection != y->collection || x->op != y->op || strcmp(x->key, y->key) != 0 ||
            x->value_len != y->value_len ||
            (x->value_len && memcmp(x->value, y->value, x->value_len) != 0))
            abort();
    }
}

//  A change set the decoder accepted: within every bound, and it survives
//  an encode and a decode unchanged.
static void check_changeset(const ms_changeset_t *cs)
{
    size_t origin_len = strlen(cs->origin), feed_len = strlen(cs->feed);
    if (origin_len == 0 || origin_len > MS_ORG_MAX || feed_len == 0 ||
        feed_len > MS_FEED_NAME_MAX || cs->seq == 0 || cs->change_count > MS_CHANGES_MAX)
        abort();
    for (size_t i = 0; i < cs->change_count; i++) {
        const ms_change_t *change = &cs->changes[i];
        size_t key_len = strlen(change->key);
        if (change->collection <= MS_COLL_NONE || change->collection >= MS_COLL_COUNT ||
            key_len == 0 || key_len > MS_KEY_MAX || change->value_len > MS_VALUE_MAX ||
            (change->op == MS_OP_DELETE && change->value_len != 0))
            abort();
        ms_error_t err = {0};
        check_error(ms_record_check(change->collection, change->value, change->value_len, &err),
                    &err);
    }
    uint8_t *body = NULL;
    size_t len = 0;
    ms_error_t err = {0};
    if (ms_changeset_encode(cs, &body, &len, &err) != 0)
        abort();
    ms_changeset_t *again = NULL;
    if (ms_changeset_decode(body, len, &again, &err) != 0)
        abort();
    check_same(cs, again);
    ms_changeset_destroy(&again);
    free(body);
}

static void body(const uint8_t *data, size_t size)
{
    ms_changeset_t *cs = NULL;
    ms_error_t err = {0};
    int rc = ms_changeset_decode(data, size, &cs, &err);
    check_error(rc, &err);
    if (rc == 0)
        check_changeset(cs);
    else if (cs)
        abort();
    ms_changeset_destroy(&cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ms_envelope_t env;
    ms_error_t err = {0};
    int rc = ms_envelope_decode(data, size, &env, &err);
    check_error(rc, &err);
    if (rc == 0) {
        if (env.body_len == 0 || env.body_len > MS_BODY_MAX)
            abort();
        ms_changeset_t *cs = NULL;
        if (ms_changeset_decode(env.body, env.body_len, &cs, &err) == 0) {
            check_changeset(cs);
            (void)ms_envelope_verify(&env, NULL, cs->signer);
        }
        ms_changeset_destroy(&cs);
        uint8_t id[MS_HASH_BYTES];
        ms_body_id(env.body, env.body_len, id);
        ms_envelope_clear(&env);
    } else if (env.body || env.body_len) {
        abort();
    }
    body(data, size);
    return 0;
}
