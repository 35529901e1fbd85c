/*
 * sim/core/bank_holidays.c: the bank holidays of England and Wales, 1995-2099.
 *
 * The regular holidays follow the Banking and Financial Dealings Act 1971 and the royal
 * proclamations that fix them each year: New Year's Day, Good Friday, Easter Monday, the
 * early May bank holiday (first Monday of May), the spring bank holiday (last Monday of
 * May), the summer bank holiday (last Monday of August), Christmas Day and Boxing Day, with
 * a substitute weekday when one falls on a weekend. The one-off changes are listed in
 * apply_one_offs: moved early May holidays (VE day anniversaries 1995 and 2020), moved
 * spring holidays with extra jubilee days (2002, 2012, 2022), and extra days (31 Dec 1999,
 * 29 Apr 2011, 19 Sep 2022, 8 May 2023).
 *
 * Easter Sunday comes from the anonymous Gregorian computus as given by Meeus, Astronomical
 * Algorithms (2nd ed., 1998), chapter 8.
 */
#include "bank_holidays.h"

#include <stdlib.h>

static sim_date mkdate(int y, int m, int d)
{
    sim_date out = {y, m, d};
    return out;
}

static sim_date add_days(sim_date d, int n)
{
    return sim_date_from_days(sim_date_to_days(d) + n);
}

/* Easter Sunday of `year` (Gregorian; Meeus, chapter 8). */
static sim_date easter_sunday(int year)
{
    int a = year % 19;
    int b = year / 100;
    int c = year % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return mkdate(year, month, day);
}

/* The first Monday on or after `d`. */
static sim_date monday_on_or_after(sim_date d)
{
    int w = sim_date_weekday(d);
    return add_days(d, (7 - w) % 7);
}

/* The last Monday on or before `d`. */
static sim_date monday_on_or_before(sim_date d)
{
    return add_days(d, -sim_date_weekday(d));
}

typedef struct holiday_list {
    sim_date d[16];
    size_t n;
} holiday_list;

static void push(holiday_list *l, sim_date d)
{
    if (l->n < sizeof l->d / sizeof l->d[0])
        l->d[l->n++] = d;
}

static int cmp_date(const void *a, const void *b)
{
    int64_t x = sim_date_to_days(*(const sim_date *)a);
    int64_t y = sim_date_to_days(*(const sim_date *)b);
    return (x > y) - (x < y);
}

size_t sim_bank_holidays_england_wales(int year, sim_date *out, size_t max)
{
    if (year < 1995 || year > 2099)
        return 0;
    holiday_list l = {.n = 0};

    /* New Year's Day, or the Monday after when it falls at a weekend. */
    sim_date ny = mkdate(year, 1, 1);
    push(&l, sim_date_weekday(ny) >= 5 ? monday_on_or_after(ny) : ny);

    sim_date easter = easter_sunday(year);
    push(&l, add_days(easter, -2));
    push(&l, add_days(easter, 1));

    /* Early May: first Monday, except the VE day anniversaries. */
    if (year == 1995 || year == 2020)
        push(&l, mkdate(year, 5, 8));
    else
        push(&l, monday_on_or_after(mkdate(year, 5, 1)));
    if (year == 2023)
        push(&l, mkdate(2023, 5, 8)); /* coronation of King Charles III */

    /* Spring: last Monday of May, moved in the jubilee years. */
    if (year == 2002) {
        push(&l, mkdate(2002, 6, 3)); /* Golden Jubilee */
        push(&l, mkdate(2002, 6, 4));
    } else if (year == 2012) {
        push(&l, mkdate(2012, 6, 4));
        push(&l, mkdate(2012, 6, 5)); /* Diamond Jubilee */
    } else if (year == 2022) {
        push(&l, mkdate(2022, 6, 2));
        push(&l, mkdate(2022, 6, 3)); /* Platinum Jubilee */
    } else {
        push(&l, monday_on_or_before(mkdate(year, 5, 31)));
    }

    if (year == 2011)
        push(&l, mkdate(2011, 4, 29)); /* royal wedding */

    push(&l, monday_on_or_before(mkdate(year, 8, 31)));

    if (year == 2022)
        push(&l, mkdate(2022, 9, 19)); /* state funeral of Queen Elizabeth II */

    /*
     * Christmas and Boxing Day. A Saturday Christmas moves to Monday 27 and Boxing Day
     * (Sunday) to Tuesday 28; a Sunday Christmas moves to Tuesday 27 with Boxing Day on
     * Monday 26; a Saturday Boxing Day (Christmas on Friday) moves to Monday 28.
     */
    int xmas_wd = sim_date_weekday(mkdate(year, 12, 25));
    if (xmas_wd == 5) {
        push(&l, mkdate(year, 12, 27));
        push(&l, mkdate(year, 12, 28));
    } else if (xmas_wd == 6) {
        push(&l, mkdate(year, 12, 26));
        push(&l, mkdate(year, 12, 27));
    } else if (xmas_wd == 4) {
        push(&l, mkdate(year, 12, 25));
        push(&l, mkdate(year, 12, 28));
    } else {
        push(&l, mkdate(year, 12, 25));
        push(&l, mkdate(year, 12, 26));
    }

    if (year == 1999)
        push(&l, mkdate(1999, 12, 31)); /* millennium */

    qsort(l.d, l.n, sizeof l.d[0], cmp_date);
    for (size_t i = 0; i < l.n && i < max; i++)
        out[i] = l.d[i];
    return l.n;
}
