/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 pairing ceremony (native-protocol.md §6.2) as two small state machines:
 * client PairRequest → host PairChallenge → client PairProof → host PairResult. Each step
 * is valid exactly once and in order; anything else is PF_ERR_STATE. */
#include "pf/core/pkf1_pair.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_control.h"

#include "pkf1_utf8.h"
#include "pf_assert.h"

enum step {
    CLIENT_REQUEST,   /* client: next is pf_pkf1_pair_client_request */
    CLIENT_CHALLENGE, /* client: waiting for PairChallenge */
    CLIENT_RESULT,    /* client: waiting for PairResult */
    HOST_REQUEST,     /* host: waiting for PairRequest */
    HOST_PROOF,       /* host: waiting for PairProof */
    DONE,
};

struct pf_pkf1_pair {
    enum step step;
    pf_pkf1_spake2 *spake;
    uint8_t client_fp[PF_PKF1_FINGERPRINT_BYTES];
    uint8_t host_fp[PF_PKF1_FINGERPRINT_BYTES];
    uint8_t key[PF_PKF1_SPAKE2_KEY_BYTES];
    uint8_t name[PF_PKF1_PAIR_NAME_MAX];
    size_t name_len;
};

/* Decodes @p payload and checks it is the message this step expects. */
static int decode_as(const uint8_t *payload, size_t len, uint32_t type, pf_pkf1_msg *m)
{
    return pf_pkf1_msg_decode(payload, len, m) == 0 && m->type == type;
}

static int create(const pf_crypto_ops *ops, uint32_t side, const uint8_t *pin, size_t pin_len,
                  const uint8_t *client_fp, const uint8_t *host_fp, const uint8_t *random,
                  pf_pkf1_pair **ret)
{
    pf_assert_return(ret && client_fp && host_fp && (pin || pin_len == 0),
                     PF_ERR_INVALID_ARGUMENT);
    pf_pkf1_pair *p = calloc(1, sizeof(*p));
    if (!p)
        return PF_ERR_NOMEM;
    memcpy(p->client_fp, client_fp, sizeof(p->client_fp));
    memcpy(p->host_fp, host_fp, sizeof(p->host_fp));
    /* idA is the client's fingerprint and idB the host's, raw 32 bytes each. */
    int r = pf_pkf1_spake2_create(ops, side, pin, pin_len, client_fp, PF_PKF1_FINGERPRINT_BYTES,
                                  host_fp, PF_PKF1_FINGERPRINT_BYTES, random, &p->spake);
    if (r < 0) {
        free(p);
        return r;
    }
    p->step = side == PF_PKF1_SPAKE2_SIDE_A ? CLIENT_REQUEST : HOST_REQUEST;
    *ret = p;
    return 0;
}

int pf_pkf1_pair_client_create(const pf_crypto_ops *ops, const uint8_t *pin, size_t pin_len,
                               const uint8_t *client_fp, const uint8_t *host_fp,
                               const uint8_t *name, size_t name_len, const uint8_t *random,
                               pf_pkf1_pair **ret)
{
    pf_assert_return(name || name_len == 0, PF_ERR_INVALID_ARGUMENT);
    int r = create(ops, PF_PKF1_SPAKE2_SIDE_A, pin, pin_len, client_fp, host_fp, random, ret);
    if (r < 0)
        return r;
    if (name_len && pfi_utf8_valid(name, name_len)) {
        (*ret)->name_len = pfi_utf8_truncate(name, name_len, PF_PKF1_PAIR_NAME_MAX);
        memcpy((*ret)->name, name, (*ret)->name_len);
    }
    return 0;
}

int pf_pkf1_pair_host_create(const pf_crypto_ops *ops, const uint8_t *pin, size_t pin_len,
                             const uint8_t *client_fp, const uint8_t *host_fp,
                             const uint8_t *random, pf_pkf1_pair **ret)
{
    return create(ops, PF_PKF1_SPAKE2_SIDE_B, pin, pin_len, client_fp, host_fp, random, ret);
}

void pf_pkf1_pair_destroy(pf_pkf1_pair *p)
{
    if (!p)
        return;
    pf_pkf1_spake2_destroy(p->spake);
    sodium_memzero(p, sizeof(*p));
    free(p);
}

int pf_pkf1_pair_client_request(pf_pkf1_pair *p, uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(p && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (p->step != CLIENT_REQUEST)
        return PF_ERR_STATE;
    uint8_t a[PF_PKF1_SPAKE2_MSG_BYTES];
    pf_pkf1_spake2_message(p->spake, a);
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PAIR_REQUEST);
    m.text = p->name;
    m.text_len = p->name_len;
    m.spake = a;
    m.spake_len = sizeof(a);
    int r = pf_pkf1_msg_encode(&m, out, out_cap, ret_len);
    if (r == 0)
        p->step = CLIENT_CHALLENGE;
    return r;
}

int pf_pkf1_pair_host_on_request(pf_pkf1_pair *p, const uint8_t *payload, size_t len,
                                 uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(p && (payload || len == 0) && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (p->step != HOST_REQUEST)
        return PF_ERR_STATE;
    if (out_cap < 5 + 2 + PF_PKF1_SPAKE2_MSG_BYTES + PF_PKF1_CONFIRM_BYTES)
        return PF_ERR_BUFFER_TOO_SMALL;
    pf_pkf1_msg m;
    if (!decode_as(payload, len, PF_PKF1_MSG_PAIR_REQUEST, &m))
        return PF_ERR_MALFORMED;
    /* One attempt per object: whatever happens next, this SPAKE2 instance is spent. */
    p->step = DONE;
    if (pf_pkf1_spake2_finish(p->spake, m.spake, m.spake_len, p->key) < 0)
        return PF_ERR_MALFORMED;
    p->name_len = m.text_len;
    if (m.text_len)
        memcpy(p->name, m.text, m.text_len);
    pf_pkf1_msg c;
    pf_pkf1_msg_init(&c, PF_PKF1_MSG_PAIR_CHALLENGE);
    uint8_t b[PF_PKF1_SPAKE2_MSG_BYTES];
    pf_pkf1_spake2_message(p->spake, b);
    c.spake = b;
    c.spake_len = sizeof(b);
    pf_pkf1_pair_confirm(1, p->key, p->client_fp, p->host_fp, c.mac);
    int r = pf_pkf1_msg_encode(&c, out, out_cap, ret_len);
    if (r == 0)
        p->step = HOST_PROOF;
    return r;
}

int pf_pkf1_pair_client_on_challenge(pf_pkf1_pair *p, const uint8_t *payload, size_t len,
                                     uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(p && (payload || len == 0) && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (p->step != CLIENT_CHALLENGE)
        return PF_ERR_STATE;
    if (out_cap < 5 + PF_PKF1_CONFIRM_BYTES)
        return PF_ERR_BUFFER_TOO_SMALL;
    pf_pkf1_msg m;
    if (!decode_as(payload, len, PF_PKF1_MSG_PAIR_CHALLENGE, &m))
        return PF_ERR_MALFORMED;
    p->step = DONE;
    if (pf_pkf1_spake2_finish(p->spake, m.spake, m.spake_len, p->key) < 0)
        return PF_ERR_MALFORMED;
    uint8_t want[32];
    pf_pkf1_pair_confirm(1, p->key, p->client_fp, p->host_fp, want);
    int same = pf_memeq_consttime(want, m.mac, sizeof(want));
    sodium_memzero(want, sizeof(want));
    if (!same)
        return PF_ERR_AUTH;
    pf_pkf1_msg proof;
    pf_pkf1_msg_init(&proof, PF_PKF1_MSG_PAIR_PROOF);
    pf_pkf1_pair_confirm(0, p->key, p->client_fp, p->host_fp, proof.mac);
    int r = pf_pkf1_msg_encode(&proof, out, out_cap, ret_len);
    sodium_memzero(&proof, sizeof(proof));
    if (r == 0)
        p->step = CLIENT_RESULT;
    return r;
}

int pf_pkf1_pair_host_on_proof(pf_pkf1_pair *p, const uint8_t *payload, size_t len,
                               uint8_t *out, size_t out_cap, size_t *ret_len)
{
    pf_assert_return(p && (payload || len == 0) && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (p->step != HOST_PROOF)
        return PF_ERR_STATE;
    if (out_cap < 6)
        return PF_ERR_BUFFER_TOO_SMALL;
    pf_pkf1_msg m;
    if (!decode_as(payload, len, PF_PKF1_MSG_PAIR_PROOF, &m))
        return PF_ERR_MALFORMED;
    p->step = DONE;
    uint8_t want[32];
    pf_pkf1_pair_confirm(0, p->key, p->client_fp, p->host_fp, want);
    int same = pf_memeq_consttime(want, m.mac, sizeof(want));
    sodium_memzero(want, sizeof(want));
    /* A mismatch is answered with ok = 0 before the close (the message set has no other
     * way to say it; §13 item 5). */
    pf_pkf1_msg res;
    pf_pkf1_msg_init(&res, PF_PKF1_MSG_PAIR_RESULT);
    res.flag = same ? 1 : 0;
    int r = pf_pkf1_msg_encode(&res, out, out_cap, ret_len);
    if (r < 0)
        return r;
    return same ? 0 : PF_ERR_AUTH;
}

int pf_pkf1_pair_client_on_result(pf_pkf1_pair *p, const uint8_t *payload, size_t len)
{
    pf_assert_return(p && (payload || len == 0), PF_ERR_INVALID_ARGUMENT);
    if (p->step != CLIENT_RESULT)
        return PF_ERR_STATE;
    pf_pkf1_msg m;
    if (!decode_as(payload, len, PF_PKF1_MSG_PAIR_RESULT, &m))
        return PF_ERR_MALFORMED;
    p->step = DONE;
    return m.flag != 0 ? 0 : PF_ERR_AUTH; /* the reference reads any nonzero as ok */
}

int pf_pkf1_pair_host_get_name(const pf_pkf1_pair *p, uint8_t *out, size_t out_cap,
                               size_t *ret_len)
{
    pf_assert_return(p && out && ret_len, PF_ERR_INVALID_ARGUMENT);
    if (p->step == HOST_REQUEST)
        return PF_ERR_STATE;
    if (out_cap < p->name_len)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(out, p->name, p->name_len);
    *ret_len = p->name_len;
    return 0;
}
