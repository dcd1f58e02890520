//  test_household - a household's cover of months.

#include "mutsync/household.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>

//  A household's cover is the union of its members' spans, as disjoint
//  spans in order that do not touch, whatever the order they come in.
static void test_cover_is_the_union_of_its_spans(void **state)
{
    (void)state;
    enum { MONTHS = 48 };  //  months 1..MONTHS-1; an open span runs to the end
    srand(7);
    for (int round = 0; round < 2000; round++) {
        bool covered[MONTHS + 1] = {false};
        ms_cover_t cover = {.count = 0};
        int adds = 1 + rand() % 8;
        for (int i = 0; i < adds; i++) {
            //  Often the same span again, as a household's members mostly share one.
            uint32_t from = 1 + (uint32_t)(i && rand() % 2 ? 10 : rand() % (MONTHS - 1));
            uint32_t until = rand() % 3 == 0 ? 0 : 1 + (uint32_t)(rand() % (MONTHS - 1));
            ms_cover_add(&cover, (ms_span_t){from, until});
            for (uint32_t m = from; m <= MONTHS && (until == 0 ? true : m < until); m++)
                covered[m] = true;
        }
        bool seen[MONTHS + 1] = {false};
        for (size_t i = 0; i < cover.count; i++) {
            ms_span_t s = cover.spans[i];
            assert_true(s.until == 0 || s.until > s.from);
            if (i > 0)  //  after the one before, with a gap
                assert_true(cover.spans[i - 1].until && cover.spans[i - 1].until < s.from);
            for (uint32_t m = s.from; m <= MONTHS && (s.until == 0 || m < s.until); m++)
                seen[m] = true;
        }
        assert_memory_equal(seen, covered, sizeof seen);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cover_is_the_union_of_its_spans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
