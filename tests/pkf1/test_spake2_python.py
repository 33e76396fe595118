#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cross-checks punktfunk/1 pairing against an independent SPAKE2: python-spake2 (Debian's
# python3-spake2, the implementation whose constants the reference crate adopted) runs one
# side of the exchange, libpfcore the other, in both roles; TAP output.
import ctypes
import hashlib
import hmac
import os
import struct
import sys

try:
    from spake2 import SPAKE2_A, SPAKE2_B
except ImportError:
    print("1..0 # SKIP python3-spake2 is not installed")
    sys.exit(0)

ROUNDS = 8


def main():
    lib = ctypes.CDLL(sys.argv[1])
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.pf_pkf1_spake2_create.argtypes = [vp, ctypes.c_uint32, ctypes.c_char_p, sz,
                                          ctypes.c_char_p, sz, ctypes.c_char_p, sz, vp,
                                          ctypes.POINTER(vp)]
    lib.pf_pkf1_spake2_message.argtypes = [vp, ctypes.c_char_p]
    lib.pf_pkf1_spake2_finish.argtypes = [vp, ctypes.c_char_p, sz, ctypes.c_char_p]
    lib.pf_pkf1_spake2_destroy.argtypes = [vp]
    lib.pf_pkf1_pair_host_create.argtypes = [vp, ctypes.c_char_p, sz, ctypes.c_char_p,
                                             ctypes.c_char_p, vp, ctypes.POINTER(vp)]
    lib.pf_pkf1_pair_host_on_request.argtypes = [vp, ctypes.c_char_p, sz, ctypes.c_char_p, sz,
                                                 ctypes.POINTER(sz)]
    lib.pf_pkf1_pair_host_on_proof.argtypes = lib.pf_pkf1_pair_host_on_request.argtypes
    lib.pf_pkf1_pair_destroy.argtypes = [vp]

    results = []

    def check(name, cond):
        results.append((name, bool(cond)))

    def confirm(label, key, cfp, hfp):
        return hmac.new(key, label + cfp + hfp, hashlib.sha256).digest()

    for r in range(ROUNDS):
        pin = ("%04d" % (int.from_bytes(os.urandom(2), "little") % 10000)).encode()
        cfp, hfp = os.urandom(32), os.urandom(32)

        # python-spake2 is the client (side A); libpfcore's host state machine is side B.
        a = SPAKE2_A(pin, idA=cfp, idB=hfp)
        msg_a = a.start()
        name = b"py"
        req = b"PKFc\x10" + bytes([len(name)]) + name + struct.pack("<H", len(msg_a)) + msg_a
        host = vp()
        check(f"round {r}: host create",
              lib.pf_pkf1_pair_host_create(None, pin, len(pin), cfp, hfp, None,
                                           ctypes.byref(host)) == 0)
        out = ctypes.create_string_buffer(256)
        out_len = sz()
        rc = lib.pf_pkf1_pair_host_on_request(host, req, len(req), out, 256,
                                              ctypes.byref(out_len))
        chal = out.raw[:out_len.value]
        check(f"round {r}: host answers python's PairRequest",
              rc == 0 and chal[:5] == b"PKFc\x11" and len(chal) == 5 + 2 + 33 + 32)
        msg_b, host_confirm = chal[7:40], chal[40:72]
        key = a.finish(msg_b)
        check(f"round {r}: host_confirm verifies under python's key",
              host_confirm == confirm(b"punktfunk-pair-host", key, cfp, hfp))
        proof = b"PKFc\x12" + confirm(b"punktfunk-pair-client", key, cfp, hfp)
        rc = lib.pf_pkf1_pair_host_on_proof(host, proof, len(proof), out, 256,
                                            ctypes.byref(out_len))
        check(f"round {r}: host accepts python's PairProof",
              rc == 0 and out.raw[:out_len.value] == b"PKFc\x13\x01")
        lib.pf_pkf1_pair_destroy(host)

        # libpfcore is side A, python-spake2 side B.
        b = SPAKE2_B(pin, idA=cfp, idB=hfp)
        msg_b = b.start()
        s = vp()
        check(f"round {r}: spake2 A create",
              lib.pf_pkf1_spake2_create(None, 0x41, pin, len(pin), cfp, 32, hfp, 32, None,
                                        ctypes.byref(s)) == 0)
        msg = ctypes.create_string_buffer(33)
        lib.pf_pkf1_spake2_message(s, msg)
        ckey = ctypes.create_string_buffer(32)
        rc = lib.pf_pkf1_spake2_finish(s, msg_b, len(msg_b), ckey)
        check(f"round {r}: libpfcore side A derives python side B's key",
              rc == 0 and ckey.raw == b.finish(msg.raw))
        lib.pf_pkf1_spake2_destroy(s)

    # A wrong PIN on the python side: the host's confirmation no longer verifies.
    cfp, hfp = os.urandom(32), os.urandom(32)
    a = SPAKE2_A(b"1234", idA=cfp, idB=hfp)
    msg_a = a.start()
    req = b"PKFc\x10\x00" + struct.pack("<H", 33) + msg_a
    host = vp()
    lib.pf_pkf1_pair_host_create(None, b"4321", 4, cfp, hfp, None, ctypes.byref(host))
    out = ctypes.create_string_buffer(256)
    out_len = sz()
    lib.pf_pkf1_pair_host_on_request(host, req, len(req), out, 256, ctypes.byref(out_len))
    key = a.finish(out.raw[7:40])
    check("wrong PIN: host_confirm does not verify",
          out.raw[40:72] != confirm(b"punktfunk-pair-host", key, cfp, hfp))
    proof = b"PKFc\x12" + confirm(b"punktfunk-pair-client", key, cfp, hfp)
    rc = lib.pf_pkf1_pair_host_on_proof(host, proof, len(proof), out, 256,
                                        ctypes.byref(out_len))
    check("wrong PIN: host refuses the proof with ok = 0",
          rc != 0 and out.raw[:out_len.value] == b"PKFc\x13\x00")
    lib.pf_pkf1_pair_destroy(host)

    print(f"1..{len(results)}")
    for i, (name, ok) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
