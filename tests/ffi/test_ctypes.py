#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loads libpfcore from a language that is not C (Python ctypes), as Swift and Kotlin bindings
will, and round-trips a GameStream FEC block through the exported ABI.

usage: test_ctypes.py PATH/TO/libpfcore.so
"""
import ctypes
import random
import sys

PF_ERR_UNRECOVERABLE = -1006
PF_ERR_INVALID_ARGUMENT = -1001


def main():
    lib = ctypes.CDLL(sys.argv[1])
    lib.pf_core_abi_version.restype = ctypes.c_uint32
    lib.pf_core_version_string.restype = ctypes.c_char_p
    lib.pf_strerror.restype = ctypes.c_char_p
    lib.pf_strerror.argtypes = [ctypes.c_int]
    lib.pf_rs8_create.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
                                  ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.pf_rs8_destroy.argtypes = [ctypes.c_void_p]
    shard_ptrs = ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8))
    lib.pf_rs8_encode.argtypes = [ctypes.c_void_p, shard_ptrs, shard_ptrs, ctypes.c_size_t]
    lib.pf_rs8_decode.argtypes = [ctypes.c_void_p, shard_ptrs,
                                  ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t]

    results = []

    def check(name, cond):
        results.append((name, bool(cond)))

    check("abi version is 1", lib.pf_core_abi_version() == 1)
    check("version string", lib.pf_core_version_string().decode().count(".") == 2)
    check("pf_strerror names PF_ERR_UNRECOVERABLE",
          b"recover" in lib.pf_strerror(PF_ERR_UNRECOVERABLE))

    k, m, size = 32, 8, 1392
    rs = ctypes.c_void_p()
    rc = lib.pf_rs8_create(k, m, 0, None, ctypes.byref(rs))
    check("pf_rs8_create(32, 8)", rc == 0 and rs.value)
    bad = ctypes.c_void_p()
    check("pf_rs8_create rejects k + m > 255",
          lib.pf_rs8_create(200, 56, 0, None, ctypes.byref(bad)) == PF_ERR_INVALID_ARGUMENT)

    rng = random.Random(1234)
    bufs = [(ctypes.c_uint8 * size)(*[rng.randrange(256) for _ in range(size)])
            for _ in range(k)] + [(ctypes.c_uint8 * size)() for _ in range(m)]
    original = [bytes(b) for b in bufs[:k]]
    ptr = ctypes.POINTER(ctypes.c_uint8)
    data = (ptr * k)(*[ctypes.cast(b, ptr) for b in bufs[:k]])
    parity = (ptr * m)(*[ctypes.cast(b, ptr) for b in bufs[k:]])
    check("encode", lib.pf_rs8_encode(rs, data, parity, size) == 0)

    lost = rng.sample(range(k + m), m)
    for i in lost:
        ctypes.memset(bufs[i], 0xA5, size)
    present = (ctypes.c_uint8 * (k + m))(*[0 if i in lost else 1 for i in range(k + m)])
    shards = (ptr * (k + m))(*[ctypes.cast(b, ptr) for b in bufs])
    rebuilt = lib.pf_rs8_decode(rs, shards, present, size)
    check("decode rebuilds the lost data shards",
          rebuilt == sum(1 for i in lost if i < k))
    check("decoded bytes equal the originals", [bytes(b) for b in bufs[:k]] == original)

    present[lost[0]] = 0
    extra = next(i for i in range(k + m) if present[i])
    present[extra] = 0
    check("too many losses -> PF_ERR_UNRECOVERABLE",
          lib.pf_rs8_decode(rs, shards, present, size) == PF_ERR_UNRECOVERABLE)
    lib.pf_rs8_destroy(rs)
    lib.pf_rs8_destroy(None)

    # punktfunk/1 codecs: the golden LossReport of native-protocol.md §5.1, and a Hello.
    out = (ctypes.c_uint8 * 64)()
    out_len = ctypes.c_size_t()
    lib.pf_pkf1_frame_header.argtypes = [ctypes.c_size_t, ctypes.c_void_p]
    lib.pf_pkf1_msg_decode.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    lib.pf_pkf1_msg_encode.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                       ctypes.POINTER(ctypes.c_size_t)]
    golden = bytes.fromhex("504b466304" "04030201")
    msg = ctypes.create_string_buffer(1024)  # larger than pf_pkf1_msg
    check("pf_pkf1_msg_decode(LossReport)",
          lib.pf_pkf1_msg_decode(golden, len(golden), msg) == 0)
    check("decoded type is 0x04", msg.raw[0] == 4)
    check("pf_pkf1_msg_encode gives the golden bytes back",
          lib.pf_pkf1_msg_encode(msg, out, 64, ctypes.byref(out_len)) == 0
          and bytes(out[:out_len.value]) == golden)
    check("pf_pkf1_frame_header(9)",
          lib.pf_pkf1_frame_header(9, out) == 0 and bytes(out[:2]) == b"\x09\x00")
    lib.pf_pkf1_close_code_name.restype = ctypes.c_char_p
    lib.pf_pkf1_close_code_name.argtypes = [ctypes.c_uint32]
    check("close code 0x67 has a name",
          lib.pf_pkf1_close_code_name(0x67) == b"wire version mismatch")

    # Parity sized for loss: the rule at 0 loss; at 20 % a block of 8 needs 15.
    u32 = ctypes.c_uint32
    lib.pf_pkf1_media_recovery_for_loss.restype = u32
    lib.pf_pkf1_media_recovery_for_loss.argtypes = [u32, u32, u32, u32, u32]
    lib.pf_pkf1_fec_loss_estimate.restype = u32
    lib.pf_pkf1_fec_loss_estimate.argtypes = [u32, u32]
    check("pf_pkf1_media_recovery_for_loss(8, 10 %, 0 ppm) is the rule's 2",
          lib.pf_pkf1_media_recovery_for_loss(8, 10, 10, 4096, 0) == 2)
    check("pf_pkf1_media_recovery_for_loss(8, 10 %, 200000 ppm) is 15",
          lib.pf_pkf1_media_recovery_for_loss(8, 10, 10, 4096, 200000) == 15)
    check("pf_pkf1_fec_loss_estimate(0, 166667) is 250000",
          lib.pf_pkf1_fec_loss_estimate(0, 166667) == 250000)

    print(f"1..{len(results)}")
    for i, (name, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
