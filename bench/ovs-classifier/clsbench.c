/* clsbench runs Open vSwitch's own classifier (lib/classifier.c, linked
 * from an OVS build) on the rules and keys of one of govs's
 * BenchmarkClassifierLookup cases, as written by govs's
 * TestWriteOVSRefRules:
 *
 *   clsbench RULES time N [nowc]   times N lookups, with megaflow masks
 *                                  unless nowc, and prints ns/lookup
 *   clsbench RULES masks           prints each key's megaflow mask
 *   clsbench RULES insert N        times inserting the rules into an empty
 *                                  classifier, N times over, and prints
 *                                  inserts/s
 *
 * Each lookup clears a struct flow and writes the key's fields into it, as
 * govs's benchmark clears and writes its key, and starts from an empty
 * mask. Prefix tracking is on for nw_src and nw_dst, as in ovs-vswitchd.
 * See run.sh. */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "byte-order.h"
#include "classifier.h"
#include "flow.h"
#include "openvswitch/match.h"
#include "openvswitch/util.h"

/* A rule's or key's fields, in the order TestWriteOVSRefRules writes
 * them. */
enum { IN_PORT, ETH_DST, REG0, METADATA, ETH_TYPE, IP_SRC, IP_DST, NW_PROTO,
       TP_SRC, TP_DST, N_FIELDS };

struct key {
    unsigned long long v[N_FIELDS];
};

static struct eth_addr
eth(unsigned long long v)
{
    struct eth_addr ea;
    for (int i = 0; i < 6; i++) {
        ea.ea[i] = v >> (8 * (5 - i));
    }
    return ea;
}

static unsigned long long
eth_value(struct eth_addr ea)
{
    unsigned long long v = 0;
    for (int i = 0; i < 6; i++) {
        v = v << 8 | ea.ea[i];
    }
    return v;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A rule as read from the file: compact, as govs's benchmarks hold
 * theirs. */
struct rule_spec {
    unsigned long long v[N_FIELDS], m[N_FIELDS];
    int priority;
};

static void
read_rule(struct rule_spec *spec, FILE *f)
{
    if (fscanf(f, "%d", &spec->priority) != 1) {
        ovs_fatal(0, "bad rule line");
    }
    for (int i = 0; i < N_FIELDS; i++) {
        if (fscanf(f, "%llx/%llx", &spec->v[i], &spec->m[i]) != 2) {
            ovs_fatal(0, "bad rule line");
        }
    }
}

/* make_match writes spec's match into mt, as a flow_mod decoder would. */
static void
make_match(const struct rule_spec *spec, struct match *mt)
{
    const unsigned long long *v = spec->v, *m = spec->m;
    match_init_catchall(mt);
    if (m[IN_PORT]) {
        match_set_in_port(mt, u16_to_ofp(v[IN_PORT]));
    }
    if (m[ETH_DST]) {
        match_set_dl_dst_masked(mt, eth(v[ETH_DST]), eth(m[ETH_DST]));
    }
    if (m[REG0]) {
        match_set_reg_masked(mt, 0, v[REG0], m[REG0]);
    }
    if (m[METADATA]) {
        match_set_metadata_masked(mt, htonll(v[METADATA]),
                                  htonll(m[METADATA]));
    }
    if (m[ETH_TYPE]) {
        match_set_dl_type(mt, htons(v[ETH_TYPE]));
    }
    if (m[IP_SRC]) {
        match_set_nw_src_masked(mt, htonl(v[IP_SRC]), htonl(m[IP_SRC]));
    }
    if (m[IP_DST]) {
        match_set_nw_dst_masked(mt, htonl(v[IP_DST]), htonl(m[IP_DST]));
    }
    if (m[NW_PROTO]) {
        match_set_nw_proto(mt, v[NW_PROTO]);
    }
    if (m[TP_SRC]) {
        match_set_tp_src_masked(mt, htons(v[TP_SRC]), htons(m[TP_SRC]));
    }
    if (m[TP_DST]) {
        match_set_tp_dst_masked(mt, htons(v[TP_DST]), htons(m[TP_DST]));
    }
}

/* add_rule inserts spec's rule into cls and returns it. */
static struct cls_rule *
add_rule(struct classifier *cls, const struct rule_spec *spec)
{
    struct match mt;
    make_match(spec, &mt);
    struct cls_rule *r = xmalloc(sizeof *r);
    cls_rule_init(r, &mt, spec->priority);
    /* govs's Insert too replaces a rule of the same match and priority.
     * The displaced rule is left allocated: OVS frees such rules only
     * after an RCU grace period, and this program ends soon. */
    classifier_replace(cls, r, OVS_VERSION_MIN, NULL, 0);
    return r;
}

static void
init_classifier(struct classifier *cls)
{
    classifier_init(cls, flow_segment_u64s);
    enum mf_field_id prefixes[] = { MFF_IPV4_DST, MFF_IPV4_SRC };
    classifier_set_prefix_fields(cls, prefixes, ARRAY_SIZE(prefixes));
}

/* time_inserts inserts the n rules of specs into an empty classifier,
 * rounds times over (emptying it, untimed, in between), and prints the
 * rate. As in govs's BenchmarkClassifierInsert, an insert starts from
 * the compact rule, writes its match into a buffer and ends with the rule
 * in the classifier. */
static void
time_inserts(const struct rule_spec *specs, size_t n, long rounds)
{
    struct cls_rule **rules = xmalloc(n * sizeof *rules);
    double elapsed = 0;
    for (long round = 0; round < rounds; round++) {
        struct classifier cls;
        init_classifier(&cls);
        double start = now();
        for (size_t i = 0; i < n; i++) {
            rules[i] = add_rule(&cls, &specs[i]);
        }
        elapsed += now() - start;
        for (size_t i = 0; i < n; i++) {
            if (classifier_remove(&cls, rules[i])) {
                cls_rule_destroy(rules[i]);
                free(rules[i]);
            }
        }
        classifier_destroy(&cls);
    }
    free(rules);
    printf("%.0f inserts/s\n", n * rounds / elapsed);
}

static void
load_flow(struct flow *flow, const struct key *k)
{
    memset(flow, 0, sizeof *flow);
    flow->in_port.ofp_port = u16_to_ofp(k->v[IN_PORT]);
    flow->dl_dst = eth(k->v[ETH_DST]);
    flow->regs[0] = k->v[REG0];
    flow->metadata = htonll(k->v[METADATA]);
    flow->dl_type = htons(k->v[ETH_TYPE]);
    flow->nw_src = htonl(k->v[IP_SRC]);
    flow->nw_dst = htonl(k->v[IP_DST]);
    flow->nw_proto = k->v[NW_PROTO];
    flow->tp_src = htons(k->v[TP_SRC]);
    flow->tp_dst = htons(k->v[TP_DST]);
}

static void
usage(void)
{
    ovs_fatal(0, "usage: clsbench RULES time N [nowc] | clsbench RULES masks | clsbench RULES insert N");
}

int
main(int argc, char *argv[])
{
    if (argc < 3) {
        usage();
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        ovs_fatal(errno, "%s", argv[1]);
    }

    size_t n_keys = 0, allocated = 0, n_specs = 0, allocated_specs = 0;
    struct key *keys = NULL;
    struct rule_spec *specs = NULL;
    char tag[2];
    while (fscanf(f, "%1s", tag) == 1) {
        if (tag[0] == 'R') {
            if (n_specs == allocated_specs) {
                specs = x2nrealloc(specs, &allocated_specs, sizeof *specs);
            }
            read_rule(&specs[n_specs++], f);
            continue;
        }
        if (n_keys == allocated) {
            keys = x2nrealloc(keys, &allocated, sizeof *keys);
        }
        struct key *k = &keys[n_keys++];
        for (int i = 0; i < N_FIELDS; i++) {
            if (fscanf(f, "%llx", &k->v[i]) != 1) {
                ovs_fatal(0, "bad key line");
            }
        }
    }
    fclose(f);
    if (!strcmp(argv[2], "insert")) {
        if (argc < 4) {
            usage();
        }
        time_inserts(specs, n_specs, atol(argv[3]));
        return 0;
    }
    if (!n_keys) {
        ovs_fatal(0, "%s has no keys", argv[1]);
    }

    struct classifier cls;
    init_classifier(&cls);
    for (size_t i = 0; i < n_specs; i++) {
        add_rule(&cls, &specs[i]);
    }

    struct flow flow;
    struct flow_wildcards wc;
    if (!strcmp(argv[2], "masks")) {
        for (size_t i = 0; i < n_keys; i++) {
            load_flow(&flow, &keys[i]);
            flow_wildcards_init_catchall(&wc);
            classifier_lookup(&cls, OVS_VERSION_MAX, &flow, &wc);
            const struct flow *m = &wc.masks;
            printf("%x %llx %x %llx %x %x %x %x %x %x\n",
                   ofp_to_u16(m->in_port.ofp_port), eth_value(m->dl_dst),
                   m->regs[0], (unsigned long long) ntohll(m->metadata),
                   ntohs(m->dl_type), ntohl(m->nw_src), ntohl(m->nw_dst),
                   m->nw_proto, ntohs(m->tp_src), ntohs(m->tp_dst));
        }
        return 0;
    }
    if (strcmp(argv[2], "time") || argc < 4) {
        usage();
    }
    long n_lookups = atol(argv[3]);
    bool use_wc = argc < 5 || strcmp(argv[4], "nowc");
    long misses = 0;
    double start = now();
    for (long i = 0; i < n_lookups; i++) {
        load_flow(&flow, &keys[i % n_keys]);
        if (use_wc) {
            flow_wildcards_init_catchall(&wc);
        }
        if (!classifier_lookup(&cls, OVS_VERSION_MAX, &flow,
                               use_wc ? &wc : NULL)) {
            misses++;
        }
    }
    double elapsed = now() - start;
    if (misses) {
        ovs_fatal(0, "%ld lookups of a rule's own key missed", misses);
    }
    printf("%.1f ns/lookup\n", elapsed * 1e9 / n_lookups);
    return 0;
}
