/*
 * models/elective/el_state.h: the state of one replication of the elective model (data,
 * and one inline accessor; no other functions).
 *
 * Internal to models/elective (and its tests). One el_run lives on one thread; it reads the
 * shared el_config and owns everything else. The model's files are layers, each calling
 * only the layers below it (scripts/check_includes keeps it so; docs/elective.md):
 *
 *   el_model     registration, el_run_replication
 *   el_run       the runner: referrals, backlog, servers, removals, the daily tick
 *   el_collab    pooling starts, mutual aid          el_theatre   sessions and booking
 *   el_metrics   snapshots and outcomes
 *   el_list      list operations: wait, take, treat, transfer, remove
 *   el_pool      pooled heaps and the sites each patient accepts
 *   el_state     this header: the types
 *
 * A lower layer that must tell a higher one something (a patient joined a list: wake the
 * simple-capacity servers; a P1 patient: book it within 72 hours) calls a function pointer
 * of el_run that the runner sets (el_run.wake_servers, el_run.book_urgent).
 *
 * Patients. A patient is a slot in one array, reused once it leaves (a free list), so
 * memory follows the list size, not the number of referrals. A patient is in one state:
 * WAITING (on the list, in its heaps, may be removed), BOOKED (has a theatre date),
 * IN_SERVICE (with a simple-capacity server), REBOOK (cancelled by the hospital on the day,
 * owed a new date within 28 days). All four are incomplete pathways: they count in the
 * list size and its wait histogram until the clock stops (treatment) or the patient is
 * removed.
 *
 * Waiting lists. Each list keeps seven heaps ordered by clock start: P1..P4 of admitted
 * pathways, non-admitted pathways, the rebooking queue (ordered by the rebooking
 * deadline) and the urgent referrals at the outpatient stage (urgent_referrals: seen
 * before the rest). A patient at the outpatient stage has priority 0 if its referral was
 * urgent, else 3 (its decision to admit sets its clinical priority). A pooled collaboration adds heaps per (treating site, priority) holding the
 * member lists' patients who accept that site. Entries are deleted lazily (rtt_heap.h): a
 * patient's stamp changes whenever it leaves WAITING, which makes all its entries stale.
 * A random WAITING patient (removals other than treatment, the selection rules' random
 * picks) is a uniform entry of the heaps that hold them, drawn again while it is stale:
 * every WAITING patient has exactly one valid entry there. The heaps are compacted when
 * their stale entries come to outnumber the valid ones (el__sample_waiting), so a draw
 * takes fewer than two tries on average.
 *
 * Random numbers. Streams are named after what they drive, and draws that belong to a
 * patient (priority, home site, acceptance of sites, case duration, cancellation, mutual-aid
 * acceptance, its backlog wait) come from that patient's own entity of a stream named after
 * its home list's label ("elective/case-minutes/WSFT/trauma-orthopaedics"), keyed by the
 * patient's serial on that list, so the same patient behaves the same way under a different
 * policy, and whatever other lists, patients or models the scenario has (common random
 * numbers). Draws that belong to a theatre session (its late start) come from a stream per
 * (theatre, specialty), keyed by the day and the session's rank among that specialty's
 * sessions at the theatre that day, so another specialty's sessions change nothing.
 *
 * Patient ids (uid): home list index << 41 | backlog flag (bit 40) | serial on that list
 * (bits 0-39). They are distinct for every patient of a run; the per-patient draws use
 * only the low 41 bits (EL_UID_KEY), so they do not depend on the list's index either.
 */
#ifndef EL_STATE_H
#define EL_STATE_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"
#include "core/monitor.h"
#include "core/rng.h"
#include "core/stats.h"
#include "el_config.h"
#include "../model.h"
#include "system/system.h"
#include "rtt_heap.h"
#include "rtt_hist.h"

#define EL_NONE UINT32_MAX
#define EL_MAX_CASES 16
#define EL_HEAP_NONADMITTED 4
#define EL_HEAP_REBOOK 5
#define EL_HEAP_OP_URGENT 6 /* urgent referrals at the outpatient stage (urgent_referrals) */
#define EL_HEAPS 7
#define EL_REBOOK_DAYS 28.0
#define EL_TREATED_BINS_PER_DAY 4

#define EL_UID_LIST_SHIFT 41
#define EL_UID_BACKLOG (1ull << 40)
#define EL_UID_KEY(uid) ((uid) & ((1ull << EL_UID_LIST_SHIFT) - 1))

/* The per-patient streams of a list (el_lstate.sid). */
enum { EL_PS_BACKLOG, EL_PS_CASE, EL_PS_CANCEL, EL_PS_ACCEPT, EL_PS_AID, EL_PS_DTA, EL_PS_BED,
       EL_PS_PROCEDURE, EL_PS_N };

/* Ports (flows): bed_pressure (signal in, per system site: the probability an inpatient due
 * now is cancelled, from the beds model); inpatients (offer out: an inpatient case operated,
 * attr[0] = length of stay in days, to the beds model's elective_admit). */
enum { EL_PORT_BED_PRESSURE, EL_PORT_INPATIENTS, EL_PORTS };

enum { EL_FREE = 0, EL_WAITING, EL_BOOKED, EL_IN_SERVICE, EL_REBOOK };
enum { EL_F_ADMITTED = 1, EL_F_AID_OFFERED = 2, EL_F_MASKED = 4 };

/* A patient's record is 32 bytes, two to a cache line and never across one: millions are
 * live at once, and the record is read at most events (the bit fields cost a shift and a
 * mask). Its home list is in its uid (EL_UID_LIST). */
typedef struct el_patient {
    double clock_start;
    uint64_t uid;            /* list index, backlog flag, serial (see above) */
    uint32_t list;           /* the list it waits on now */
    uint32_t pos;            /* next free slot if FREE; if WAITING, the removal draw that
                              * last chose it as a candidate (el_run.removal_draw) */
    uint32_t stamp;
    unsigned home_site : 11; /* < EL_MAX_SITES (el_config.h) */
    unsigned priority : 2;   /* 0 = P1 ... 3 = P4 */
    unsigned state : 3;
    unsigned flags : 3;
    unsigned attempts : 8;   /* bookings so far (keys the per-booking draws), modulo 256 */
    unsigned procedure : 5;  /* case mix: 1 + index of its procedure, 0 until drawn */
} el_patient;

_Static_assert(sizeof(el_patient) == 32, "a patient record is 32 bytes: millions are live at once");
_Static_assert(EL_MAX_SITES < 2048, "home_site's 11 bits hold a site's index");
_Static_assert(EL_MAX_PROCEDURES < 32, "procedure's 5 bits hold 1 + a procedure's index");

#define EL_UID_LIST(uid) ((uint32_t)((uid) >> EL_UID_LIST_SHIFT))

typedef struct el_server {
    int list;
    int site;
    bool admitted;
    bool busy;
    bool deterministic;
    bool weekdays_only;      /* copied from the list's configuration, as are the next two */
    bool capacity_months;
    bool urgent_first;       /* outpatient stage with urgent referrals: their heap first */
    bool lazy;               /* its list's events are deferred (el_run.c, catch_up_list) */
    uint32_t patient;
    double mean_days;
    double resume_t;         /* idle until then (a month with no capacity); 0: at once */
    double due_t;            /* a lazy server's deferred event: the end of its attendance
                              * (busy) or of its rest (idle); INFINITY if none */
    uint64_t due_seq;        /* when due_t was set (el_run.due_seq): equal times in that
                              * order, as the engine orders its events */
    const el_selection *rule; /* the outpatient stage's selection rule, or NULL */
    /* Who is likely next when this service ends (the stage's heap top when it began): a
     * hint for the prefetcher of server_done (el_run.c), never read for anything else. */
    const rtt_entry *next_entry;
    uint32_t next_patient;
} el_server;

/*
 * A list's state. The fields a referral, an attendance or a treatment touch come first, in
 * the order of use, so that an event reads three or four cache lines of it: a national run
 * has over a thousand lists, and their state does not fit in the core's caches (the
 * benchmark's profile, docs/elective.md "Speed"). The list's configuration that those events
 * need is copied here for the same reason (el_list is several kilobytes apart per list).
 */
typedef struct el_lstate {
    /* line 0: referrals */
    _Alignas(64) uint64_t serial;
    uint64_t patient_sid;    /* stream id of "elective/patient/LABEL" (a referral's draws) */
    uint64_t urgency_sid;    /* stream id of "elective/urgency/LABEL" (urgent_referrals) */
    gsl_rng *arrivals;
    size_t n_waiting;        /* WAITING patients */
    int first_server, n_servers;
    int specialty;           /* copied from el_list */
    uint16_t first_site;     /* the trust's first site (copied) */
    uint8_t n_sites;         /* the trust's sites (copied) */
    bool outpatients;        /* non_admitted_per_week > 0 (copied) */
    double ref_t;            /* a deferred referral's time, INFINITY if none (el_run.c) */
    /* line 1: incomplete pathways */
    _Alignas(64) rtt_hist hist;
    sim_timeavg size_avg;
    /* line 2: treatments */
    sim_tally wait_treated;
    uint32_t *treated_hist;  /* waits of patients treated after the warm-up, in quarter days
                              * (EL_TREATED_BINS_PER_DAY), two counts a bin side by side, so
                              * that a treatment writes one line: [2 bin] non-admitted
                              * pathways, [2 bin + 1] admitted (allocated at the first) */
    double treated;
    double treated_admitted;
    /* line 3: the admitted stage */
    double admitted_start_sum; /* sum of clock starts of WAITING admitted patients */
    size_t admitted_waiting;
    size_t n_prio[EL_PRIORITIES]; /* WAITING admitted patients by priority */
    gsl_rng *select;         /* the selection rule's draws (el_selection) */
    /* line 4: the per-patient streams (a decision to admit, a booking) */
    _Alignas(64) uint64_t sid[EL_PS_N];   /* stream ids of the per-patient streams, by label */
    /* lines 5-9: the heaps; the outpatient stage's (EL_HEAP_NONADMITTED) fills line 8 */
    rtt_heap heap[EL_HEAPS];
    gsl_rng *removals, *service;
    double removed, moved, distance_km;
    double *capped_minutes, *planned_minutes; /* per snapshot period */
} el_lstate;

_Static_assert(offsetof(el_lstate, hist) == 64 && offsetof(el_lstate, wait_treated) == 128 &&
                   offsetof(el_lstate, admitted_start_sum) == 192 && offsetof(el_lstate, sid) == 256 &&
                   offsetof(el_lstate, heap[EL_HEAP_NONADMITTED]) == 512,
               "the hot fields of a list's state fill its first lines, as laid out above");

typedef struct el_pool {
    bool active;
    bool *treats;            /* [n_lists]: the list has sessions or servers (mutual aid) */
    int *site_index;         /* [n_sites]: pool site index or -1 */
    rtt_heap *heap;          /* [n_pool_sites * EL_PRIORITIES] */
} el_pool;

typedef struct el_session {
    double start;            /* days since start */
    double minutes;
    int theatre, list, specialty, site;
    int n, capacity;         /* cases booked, slots planned */
    double fill_minutes;     /* by minutes (> 0): mean minutes the booked cases may fill */
    double booked_minutes;   /* their mean minutes with turnarounds */
    uint64_t draw_key;       /* entity of the (theatre, specialty) stream: day, rank; in
                              * the first line, with what a P1 booking's search reads */
    uint32_t cases[EL_MAX_CASES];
    uint32_t next_free;
    uint32_t pending_pos;    /* index in its theatre's pending sessions while pending */
} el_session;

_Static_assert(offsetof(el_session, draw_key) < 64, "a slot search reads one line a session");

/* A theatre's pending session, with the two fields a search for a slot filters on, so that
 * the search reads one compact array and opens only the sessions that pass (a P1 booking
 * scans every pending session of the patient's theatres). */
typedef struct el_pending {
    double start;            /* = sess[session].start */
    uint32_t session;
    int32_t specialty;       /* = sess[session].specialty */
} el_pending;

typedef struct el_tstate {
    el_pending *pending;     /* booked sessions not yet run */
    size_t n_pending, cap_pending;
    uint64_t *sid;           /* [n_specialties]: stream ids for session draws */
} el_tstate;

/* The flows counted at most events (a referral, an attendance, a treatment, a removal),
 * kept per list in one compact record between snapshots (el_run.hot) and added to the
 * series at each snapshot (el__flush_counts): a national run has 1,260 lists, and a count
 * into the results record is a cache line per metric and list. */
enum { EL_HOT_REFERRALS, EL_HOT_ADMITTED_REFERRALS, EL_HOT_TREATMENTS, EL_HOT_STOPS_ADMITTED,
       EL_HOT_STOPS_NON_ADMITTED, EL_HOT_DECISIONS_TO_ADMIT, EL_HOT_REMOVALS, EL_HOT_COUNTS };

typedef struct el_hot_counts {
    uint32_t n[8];           /* [EL_HOT_...]: counts since the last snapshot */
} el_hot_counts;

_Static_assert(EL_HOT_COUNTS <= 8, "the hot counts fill half a cache line");

typedef struct el_metric_ids {
    int size, within18, over52, over65, over78, over104, median, p92;
    int referrals, admitted_referrals, treatments, removals, transfers_in, transfers_out;
    int stops_admitted, stops_non_admitted, decisions_to_admit, waiting_prio[EL_PRIORITIES];
    int sessions_run, cases, capped_utilisation, cancellations, overruns, early_finishes,
        late_starts, bed_cancellations,
        inpatients;
    int median_wait_treated, p92_wait_treated, median_wait_admitted, median_wait_non_admitted;
    int mean_wait_treated, mean_size, treated_total, removed_total, moved, distance, spread;
} el_metric_ids;

/* Optional observers for tests (NULL members are skipped). */
typedef struct el_run_hooks {
    void (*on_treated)(void *ctx, int list, uint64_t uid, double wait_days, double t);
    void (*on_cancelled)(void *ctx, uint64_t uid, double t, bool hospital_reason);
    void *ctx;
    /* At each daily tick, after its heaps were compacted: list l's WAITING patients and
     * the entries of the heaps that hold them (valid and stale). */
    void (*on_tick)(void *ctx, int list, size_t waiting, size_t entries);
    uint64_t *events;        /* if set, receives the number of events run (benchmarks) */
    bool eager;              /* every referral and attendance an event of its own (nothing
                              * deferred: el_run.c, catch_up_list) */
} el_run_hooks;

typedef struct el_run {
    const el_config *cfg;
    sim_engine *eng;
    sim_run *run;            /* the replication (flows) and this model's index in it */
    size_t self;
    sim_record *rec;
    el_metric_ids m;
    const sim_metric **metric; /* [the model's metrics]: their declarations, for el__count
                              * (sim_record_index without sim_record_add's lookup) */
    const el_run_hooks *hooks;
    uint64_t seed, rep;
    int status;              /* first error (SIM_ENOMEM) met inside a handler */

    el_patient *pat;
    uint64_t *accept;        /* [cap_accept] pooled sites accepted (bit q = pool site q), kept
                              * apart from pat (and only with collaborations) so that the
                              * patient record stays small: 32 bytes */
    size_t n_pat, cap_pat, cap_accept; /* cap_accept: cap_pat, or 0 without accept */
    uint32_t free_head;

    el_lstate *ls;
    el_server *servers;
    size_t n_servers;
    uint32_t *server_list;   /* [n_servers]: servers[s].list, compact (the prefetchers) */
    el_hot_counts *hot;      /* [n_lists]: flows since the last snapshot (EL_HOT_...) */
    el_pool *pools;          /* [n_collabs] */
    el_tstate *ts;           /* [n_theatres] */
    el_session *sess;
    size_t n_sess, cap_sess;
    /* Theatres with sessions of list l: lt_theatre[lt_first[l] .. lt_first[l + 1]); of
     * specialty k: st_theatre[st_first[k] .. st_first[k + 1]) (P1 booking, el_theatre.c). */
    uint32_t *lt_first, *lt_theatre, *st_first, *st_theatre;
    uint32_t sess_free;

    gsl_rng *prng;           /* repositioned for each per-patient draw (el__patient_rng) */
    gsl_rng *session_rng;    /* repositioned for each session's draws */
    gsl_rng *entry_ahead, *record_ahead; /* removal draws run ahead (el_run.c, hints only) */
    size_t period;           /* snapshot index that the current month's flows go to */
    uint32_t *scratch;
    size_t cap_scratch;
    uint32_t removal_draw;   /* daily_removals' calls so far: marks a day's candidates */
    bool loading;            /* creating the backlog: servers start at the first tick */
    bool catching_up;        /* making a list's deferred events (el_run.c, catch_up_list), */
    double deferred_t;       /* ... the one at this time */
    uint64_t due_seq;        /* lazy servers' deferred events set so far */

    /* Set by the runner (el_run.c), called by lower layers (see above). */
    void (*wake_servers)(struct el_run *r, int list);      /* idle servers of list (or pool) */
    bool (*book_urgent)(struct el_run *r, uint32_t p);     /* thr_book_urgent (el_theatre.c) */
    void (*catch_up)(struct el_run *r, int list);          /* its deferred events due */
} el_run;

/* The model's clock: the engine's, or the time of the deferred event being made. */
static inline double el__now(const el_run *r)
{
    return r->catching_up ? r->deferred_t : sim_now(r->eng);
}

/* The generator at patient p's entity of its home list's stream `purpose` (EL_PS_...), with
 * `extra` (< 2^16, e.g. the booking attempt) in the entity's top bits. */
static inline gsl_rng *el__patient_rng(el_run *r, int purpose, uint32_t p, unsigned extra)
{
    const el_patient *pt = &r->pat[p];
    sim_rng_seek(r->prng, r->seed, r->rep, r->ls[EL_UID_LIST(pt->uid)].sid[purpose],
                 EL_UID_KEY(pt->uid) | (uint64_t)extra << 48);
    return r->prng;
}

#endif
