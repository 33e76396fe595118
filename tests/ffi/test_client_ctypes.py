#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libpfclient from Python ctypes, as a non-C client app binds it: make an identity, pair with
a running pfhost by PIN, connect again with the pinned fingerprint, stream and pull video
access units and audio packets, read statistics, and check the struct_size rule.

usage: test_client_ctypes.py PATH/TO/libpfclient.so PATH/TO/pfhost"""
import ctypes as C
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "client"))
from pfhost_fixture import Host, Tap  # noqa: E402

PF_ERR_TIMEOUT = -1015


class LogHook(C.Structure):
    _fields_ = [("fn", C.c_void_p), ("user_data", C.c_void_p), ("max_level", C.c_uint32)]


class Settings(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("cert_pem", C.c_char_p), ("key_pem", C.c_char_p),
                ("host_fingerprint", C.POINTER(C.c_uint8)), ("device_name", C.c_char_p),
                ("connect_timeout_ms", C.c_uint32), ("log", LogHook)]


class StreamSettings(C.Structure):
    _fields_ = [(n, C.c_uint32) for n in (
        "struct_size", "width", "height", "refresh_hz", "codecs", "preferred_codec",
        "bitrate_kbps", "video_caps", "audio_channels", "video_queue", "audio_queue",
        "auto_keyframe")]


class StreamInfo(C.Structure):
    _fields_ = [(n, C.c_uint32) for n in (
        "struct_size", "width", "height", "refresh_hz", "codec", "bitrate_kbps", "bit_depth",
        "full_range", "audio_channels", "audio_codec", "cipher", "shard_payload",
        "fec_percent", "grants", "host_caps", "host_caps2")] + [
        ("data_port", C.c_uint16), ("mgmt_port", C.c_uint16)]


class VideoFrame(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("flags", C.c_uint32),
                ("data", C.POINTER(C.c_uint8)), ("len", C.c_size_t),
                ("frame_index", C.c_uint32), ("user_flags", C.c_uint32),
                ("pts_ns", C.c_uint64), ("first_packet_ns", C.c_uint64),
                ("reassembled_ns", C.c_uint64), ("clock_offset_ns", C.c_int64)] + [
        (n, C.c_uint32) for n in ("clock_valid", "received_shards", "recovered_shards",
                                  "host_us", "host_queue_us", "host_encode_us", "host_pace_us")]


class AudioPacket(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("seq", C.c_uint32), ("pts_ns", C.c_uint64),
                ("data", C.POINTER(C.c_uint8)), ("len", C.c_size_t)]


class Stats(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("clock_valid", C.c_uint32),
                ("clock_offset_ns", C.c_int64), ("clock_rtt_ns", C.c_int64)] + [
        (n, C.c_uint64) for n in (
            "frames_delivered", "frames_lost", "frames_dropped", "keyframes_requested",
            "packets_received", "bytes_received", "shards_recovered", "shards_late",
            "packets_auth_failed", "audio_packets", "audio_dropped")] + [
        ("bitrate_kbps", C.c_uint32), ("loss_ppm", C.c_uint32),
        ("latency_p50_ns", C.c_uint64), ("latency_p95_ns", C.c_uint64),
        ("latency_p99_ns", C.c_uint64)]


class CloseInfo(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("reason", C.c_int32), ("remote", C.c_uint32),
                ("code", C.c_uint64), ("text", C.c_char * 257)]


def bind(path):
    lib = C.CDLL(path)
    P = C.c_void_p
    sigs = {
        "pf_client_abi_version": (C.c_uint32, []),
        "pf_client_close_reason_string": (C.c_char_p, [C.c_int]),
        "pf_client_settings_default": (None, [C.POINTER(Settings)]),
        "pf_client_stream_settings_default": (None, [C.POINTER(StreamSettings)]),
        "pf_client_connect": (C.c_int, [C.POINTER(Settings), C.c_char_p, C.c_uint16,
                                        C.POINTER(P)]),
        "pf_client_destroy": (None, [P]),
        "pf_client_close": (None, [P]),
        "pf_client_get_host_fingerprint": (C.c_int, [P, C.POINTER(C.c_uint8)]),
        "pf_client_pair": (C.c_int, [P, C.c_char_p, C.c_uint32]),
        "pf_client_start": (C.c_int, [P, C.POINTER(StreamSettings), C.c_void_p, C.c_uint32]),
        "pf_client_video_next": (C.c_int, [P, C.c_int, C.POINTER(VideoFrame)]),
        "pf_client_audio_next": (C.c_int, [P, C.c_int, C.POINTER(AudioPacket)]),
        "pf_client_send_input": (C.c_int, [P, C.c_uint32, C.c_uint32, C.c_int32, C.c_int32,
                                           C.c_uint32]),
        "pf_client_request_keyframe": (C.c_int, [P]),
        "pf_client_get_stats": (C.c_int, [P, C.c_void_p]),
        "pf_client_get_close_info": (C.c_int, [P, C.POINTER(CloseInfo)]),
        "pf_client_identity_generate": (C.c_int, [C.POINTER(C.c_void_p), C.POINTER(C.c_void_p)]),
        "pf_client_cert_fingerprint": (C.c_int, [C.c_char_p, C.POINTER(C.c_uint8)]),
        "pf_client_free": (None, [C.c_void_p]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


def identity(lib):
    k, c = C.c_void_p(), C.c_void_p()
    assert lib.pf_client_identity_generate(C.byref(k), C.byref(c)) == 0
    key, cert = C.string_at(k.value), C.string_at(c.value)
    lib.pf_client_free(k)
    lib.pf_client_free(c)
    return key, cert


def connect(lib, host, key, cert, pin=None):
    s = Settings()
    lib.pf_client_settings_default(C.byref(s))
    s.cert_pem, s.key_pem, s.device_name = cert, key, b"ctypes consumer"
    if pin is not None:
        s.host_fingerprint = (C.c_uint8 * 32)(*pin)
    cl = C.c_void_p()
    r = lib.pf_client_connect(C.byref(s), b"127.0.0.1", host.port, C.byref(cl))
    return r, cl


def close_reason(lib, cl):
    ci = CloseInfo(struct_size=C.sizeof(CloseInfo))
    lib.pf_client_get_close_info(cl, C.byref(ci))
    return ci.reason, lib.pf_client_close_reason_string(ci.reason).decode()


def main():
    lib = bind(sys.argv[1])
    t = Tap()
    t.ok(lib.pf_client_abi_version() == 1, "abi version is 1")
    t.ok(b"PIN did not match" in lib.pf_client_close_reason_string(0x101),
         "close reasons have sentences")
    key, cert = identity(lib)
    fp = (C.c_uint8 * 32)()
    t.ok(lib.pf_client_cert_fingerprint(cert, fp) == 0, "fingerprint of the new identity")
    host = Host(sys.argv[2])
    try:
        # No identity at all: the host refuses the Hello with 0x63 and says why.
        r, cl = connect(lib, host, None, None)
        ss0 = StreamSettings()
        lib.pf_client_stream_settings_default(C.byref(ss0))
        r = lib.pf_client_start(cl, C.byref(ss0), None, 10000) if r == 0 else r
        ci = CloseInfo(struct_size=C.sizeof(CloseInfo))
        lib.pf_client_get_close_info(cl, C.byref(ci))
        lib.pf_client_destroy(cl)
        t.ok(r != 0 and ci.reason == 0x63 and ci.remote == 1 and b"certificate" in ci.text,
             "without a client certificate: 0x63 with the host's reason", (r, ci.reason, ci.text))

        r, cl = connect(lib, host, key, cert)
        hfp = (C.c_uint8 * 32)()
        lib.pf_client_get_host_fingerprint(cl, hfp)
        t.ok(r == 0 and bytes(hfp).hex() == host.fingerprint,
             "connect: the host fingerprint seen is the one the host reports", r)
        r = lib.pf_client_pair(cl, host.arm_pin().encode(), 10000)
        reason = close_reason(lib, cl)
        lib.pf_client_destroy(cl)
        t.ok(r == 0 and reason[0] == 0, "paired by PIN from Python", (r, reason))
        t.ok(any(c.get("id") == bytes(fp).hex() and c.get("kind") == "native"
                 for c in host.clients().get("clients", [])), "the host stored this identity")

        r, cl = connect(lib, host, key, cert, pin=bytes(hfp))
        ss = StreamSettings()
        lib.pf_client_stream_settings_default(C.byref(ss))
        ss.width, ss.height, ss.refresh_hz = 1280, 720, 60
        info = StreamInfo(struct_size=C.sizeof(StreamInfo))
        r2 = lib.pf_client_start(cl, C.byref(ss), C.byref(info), 15000) if r == 0 else r
        t.ok(r2 == 0 and (info.width, info.height, info.refresh_hz) == (1280, 720, 60) and
             info.codec in (1, 2), "stream started at 720p60", (r, r2, close_reason(lib, cl)))
        frames, first, idx, audio = 0, b"", [], 0
        f = VideoFrame(struct_size=C.sizeof(VideoFrame))
        a = AudioPacket(struct_size=C.sizeof(AudioPacket))
        while frames < 120 and r2 == 0:
            r = lib.pf_client_video_next(cl, 10000, C.byref(f))
            if r != 0:
                break
            if not first:
                first = C.string_at(f.data, min(f.len, 64))
            idx.append(f.frame_index)
            frames += 1
            while lib.pf_client_audio_next(cl, 0, C.byref(a)) == 0:
                audio += 1
        t.ok(frames == 120, "120 access units pulled", (frames, r, close_reason(lib, cl)))
        t.ok(b"\x00\x00\x00\x01\x67" in first or b"\x00\x00\x01\x67" in first or
             b"\x00\x00\x01\x40\x01" in first, "the first AU starts with parameter sets (IDR)",
             first.hex())
        t.ok(idx == list(range(idx[0], idx[0] + len(idx))) if idx else False,
             "frame indexes arrive in order without a hole", idx[:10])
        t.ok(audio > 0, "audio packets pulled (%d)" % audio)
        t.ok(lib.pf_client_send_input(cl, 0, 0x41, 0, 0, 0) == 0 and
             lib.pf_client_request_keyframe(cl) == 0, "input and a keyframe request accepted")
        # struct_size rule: a caller that knows only the first 40 bytes gets exactly those.
        buf = (C.c_uint8 * C.sizeof(Stats))(*([0xAB] * C.sizeof(Stats)))
        C.memmove(buf, (C.c_uint32 * 1)(40), 4)
        lib.pf_client_get_stats(cl, buf)
        full = Stats(struct_size=C.sizeof(Stats))
        lib.pf_client_get_stats(cl, C.byref(full))
        t.ok(all(b == 0xAB for b in bytes(buf)[40:]) and
             int.from_bytes(bytes(buf)[:4], "little") == 40 and
             int.from_bytes(bytes(buf)[24:32], "little") >= 120,
             "struct_size: a shorter struct is filled only up to its size")
        t.ok(full.frames_delivered >= 120 and full.packets_received > 0 and
             full.clock_valid == 1, "statistics: frames, packets, clock offset",
             (full.frames_delivered, full.packets_received, full.clock_valid))
        lib.pf_client_close(cl)
        r = lib.pf_client_video_next(cl, 5000, C.byref(f))
        while r == 0:
            r = lib.pf_client_video_next(cl, 5000, C.byref(f))
        t.ok(close_reason(lib, cl)[0] == 0x51, "after pf_client_close the reason is client quit",
             close_reason(lib, cl))
        lib.pf_client_destroy(cl)
    finally:
        if t.failed:
            t.note(host.read_log()[-3000:])
        host.stop()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
