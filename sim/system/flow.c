/*
 * sim/system/flow.c: checking a system's flows, and offers and signals during a run.
 *
 * Flows are few (a handful per scenario), so lookups scan the list: an offer costs a short
 * scan and one indirect call, which is nothing beside the events around it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "run_internal.h"

long sim_component_port(const sim_component *c, const char *name)
{
    for (size_t i = 0; i < c->n_ports; i++)
        if (strcmp(c->ports[i].name, name) == 0)
            return (long)i;
    return -1;
}

static const char *kind_name(sim_port_kind k)
{
    switch (k) {
    case SIM_OFFER_OUT:
        return "an offer out";
    case SIM_OFFER_IN:
        return "an offer in";
    case SIM_SIGNAL_OUT:
        return "a signal out";
    default:
        return "a signal in";
    }
}

int sim_system_check(const sim_system *sys, struct sim_error *err)
{
    for (size_t i = 0; i < sys->n_flows; i++) {
        const sim_flow *f = &sys->flows[i];
        if (f->from >= sys->n_components || f->to >= sys->n_components)
            return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                 "flow %zu names no component", i);
        const sim_component *a = &sys->components[f->from], *b = &sys->components[f->to];
        if (f->from_port >= a->n_ports || f->to_port >= b->n_ports)
            return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                 "flow %zu names no port", i);
        const sim_port *p = &a->ports[f->from_port], *q = &b->ports[f->to_port];
        bool offer = p->kind == SIM_OFFER_OUT && q->kind == SIM_OFFER_IN;
        bool signal = p->kind == SIM_SIGNAL_OUT && q->kind == SIM_SIGNAL_IN;
        if (!offer && !signal)
            return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                 "%s.%s is %s port and %s.%s is %s port: a flow goes from an "
                                 "offer out to an offer in, or from a signal out to a signal in",
                                 a->name, p->name, kind_name(p->kind), b->name, q->name,
                                 kind_name(q->kind));
        if (f->from == f->to)
            return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                 "%s.%s -> %s.%s connects a model to itself", a->name, p->name,
                                 b->name, q->name);
        for (size_t j = 0; j < i; j++) {
            const sim_flow *g = &sys->flows[j];
            if (offer && g->from == f->from && g->from_port == f->from_port)
                return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                     "%s.%s already flows to %s.%s: an offer has one receiver",
                                     a->name, p->name, sys->components[g->to].name,
                                     sys->components[g->to].ports[g->to_port].name);
            if (signal && g->to == f->to && g->to_port == f->to_port)
                return sim_error_set(err, SIM_EINPUT, NULL, 0, 0, "flows",
                                     "%s.%s already reads %s.%s: a signal in has one source",
                                     b->name, q->name, sys->components[g->from].name,
                                     sys->components[g->from].ports[g->from_port].name);
        }
    }
    return SIM_OK;
}

bool sim__flow_target(const sim_system *sys, size_t c, size_t port, size_t *to, size_t *to_port)
{
    for (size_t i = 0; i < sys->n_flows; i++) {
        const sim_flow *f = &sys->flows[i];
        if (f->from == c && f->from_port == port) {
            *to = f->to;
            *to_port = f->to_port;
            return true;
        }
    }
    return false;
}

bool sim__flow_source(const sim_system *sys, size_t c, size_t port, size_t *from,
                      size_t *from_port)
{
    for (size_t i = 0; i < sys->n_flows; i++) {
        const sim_flow *f = &sys->flows[i];
        if (f->to == c && f->to_port == port) {
            *from = f->from;
            *from_port = f->from_port;
            return true;
        }
    }
    return false;
}

bool sim_port_connected(const sim_run *run, size_t self, size_t port)
{
    size_t a, b;
    return sim__flow_target(run->sys, self, port, &a, &b);
}

int sim_offer(sim_run *run, size_t self, size_t port, const sim_patient *p)
{
    size_t to, to_port;
    if (!sim__flow_target(run->sys, self, port, &to, &to_port))
        return 0;
    const sim_component *c = &run->sys->components[to];
    comp_state *cs = &run->comps[to];
    if (!c->accept || !cs->started)
        return 0;
    return c->accept(cs->state, to_port, p) ? 1 : 0;
}

static signal_state *published(const sim_run *run, size_t c, size_t port)
{
    const sim_component *comp = &run->sys->components[c];
    if (port >= comp->n_ports || comp->ports[port].kind != SIM_SIGNAL_OUT)
        return NULL;
    return &run->comps[c].signals[port];
}

int sim_signal_publish(sim_run *run, size_t self, size_t port, size_t n, double initial)
{
    signal_state *s = published(run, self, port);
    if (!s || n == 0)
        return SIM_EINVAL;
    double *v = realloc(s->values, n * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        v[i] = initial;
    s->values = v;
    s->n = n;
    return SIM_OK;
}

void sim_signal_set(sim_run *run, size_t self, size_t port, size_t i, double value)
{
    signal_state *s = published(run, self, port);
    if (!s || i >= s->n)
        return;
    double old = s->values[i];
    if (old == value)
        return;
    s->values[i] = value;
    for (size_t k = 0; k < s->n_watchers; k++)
        s->watchers[k].fn(s->watchers[k].ctx, i, old, value);
}

static const signal_state *source_of(const sim_run *run, size_t self, size_t port)
{
    size_t from, from_port;
    if (!sim__flow_source(run->sys, self, port, &from, &from_port))
        return NULL;
    return published(run, from, from_port);
}

double sim_signal_get(const sim_run *run, size_t self, size_t port, size_t i)
{
    const signal_state *s = source_of(run, self, port);
    return s && i < s->n ? s->values[i] : NAN;
}

size_t sim_signal_size(const sim_run *run, size_t self, size_t port)
{
    const signal_state *s = source_of(run, self, port);
    return s ? s->n : 0;
}

int sim_signal_watch(sim_run *run, size_t self, size_t port, sim_signal_fn fn, void *ctx)
{
    signal_state *s = (signal_state *)source_of(run, self, port);
    if (!s)
        return SIM_OK; /* nothing connected: nothing will change */
    watcher *w = realloc(s->watchers, (s->n_watchers + 1) * sizeof *w);
    if (!w)
        return SIM_ENOMEM;
    w[s->n_watchers++] = (watcher){fn, ctx};
    s->watchers = w;
    return SIM_OK;
}
