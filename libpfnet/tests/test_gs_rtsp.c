/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RTSP request framing, the ANNOUNCE attributes of gamestream-protocol.md §4.5 and the
 * DESCRIBE/reply text of §4.3–§4.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net_gamestream.h"

#include "gs_rtsp_parse.h"

/* The ANNOUNCE body moonlight-common-c produces (§4.5), attribute lines ending in a space. */
static const char announce[] =
    "v=0\r\no=android 0 14 IN IPv4 192.168.1.10\r\ns=NVIDIA Streaming Client\r\n"
    "a=x-ml-general.featureFlags:3 \r\na=x-ss-general.encryptionEnabled:7 \r\n"
    "a=x-ss-video[0].chromaSamplingType:0 \r\na=x-nv-video[0].clientViewportWd:1920 \r\n"
    "a=x-nv-video[0].clientViewportHt:1080 \r\na=x-nv-video[0].maxFPS:60 \r\n"
    "a=x-nv-video[0].packetSize:1360 \r\na=x-nv-video[0].rateControlMode:4 \r\n"
    "a=x-nv-video[0].timeoutLengthMs:7000 \r\n"
    "a=x-nv-video[0].framesWithInvalidRefThreshold:0 \r\n"
    "a=x-nv-video[0].initialBitrateKbps:16000 \r\na=x-nv-video[0].initialPeakBitrateKbps:16000 \r\n"
    "a=x-nv-vqos[0].bw.minimumBitrateKbps:16000 \r\na=x-nv-vqos[0].bw.maximumBitrateKbps:16000 \r\n"
    "a=x-ml-video.configuredBitrateKbps:20000 \r\na=x-nv-vqos[0].fec.enable:1 \r\n"
    "a=x-nv-vqos[0].videoQualityScoreUpdateTime:5000 \r\na=x-nv-vqos[0].qosTrafficType:5 \r\n"
    "a=x-nv-aqos.qosTrafficType:4 \r\na=x-nv-general.featureFlags:167 \r\n"
    "a=x-nv-general.useReliableUdp:13 \r\na=x-nv-vqos[0].fec.minRequiredFecPackets:2 \r\n"
    "a=x-nv-vqos[0].bllFec.enable:0 \r\na=x-nv-vqos[0].drc.enable:0 \r\n"
    "a=x-nv-general.enableRecoveryMode:0 \r\na=x-nv-video[0].videoEncoderSlicesPerFrame:1 \r\n"
    "a=x-nv-clientSupportHevc:1 \r\na=x-nv-vqos[0].bitStreamFormat:1 \r\n"
    "a=x-nv-video[0].dynamicRangeMode:0 \r\na=x-nv-video[0].maxNumReferenceFrames:1 \r\n"
    "a=x-nv-video[0].clientRefreshRateX100:6000 \r\na=x-nv-audio.surround.numChannels:6 \r\n"
    "a=x-nv-audio.surround.channelMask:63 \r\na=x-nv-audio.surround.enable:1 \r\n"
    "a=x-nv-audio.surround.AudioQuality:1 \r\na=x-nv-aqos.packetDuration:5 \r\n"
    "a=x-nv-video[0].encoderCscMode:0 \r\nt=0 0\r\nm=video 47998  \r\n";

static void announce_every_attribute(void **state)
{
    pf_net_gs_stream_config c = {.struct_size = sizeof(c)};
    assert_int_equal(pf_net_gs_announce_parse(announce, strlen(announce), &c), 0);
    assert_int_equal(c.width, 1920);
    assert_int_equal(c.height, 1080);
    assert_int_equal(c.fps, 60);
    assert_int_equal(c.refresh_x100, 6000);
    assert_int_equal(c.packet_size, 1360);
    assert_int_equal(c.bitrate_kbps, 16000);
    assert_int_equal(c.configured_bitrate_kbps, 20000);
    assert_int_equal(c.codec, PF_NET_GS_STREAM_HEVC);
    assert_int_equal(c.dynamic_range, 0);
    assert_int_equal(c.chroma_444, 0);
    assert_int_equal(c.max_ref_frames, 1);
    assert_int_equal(c.slices, 1);
    assert_int_equal(c.min_fec_packets, 2);
    assert_int_equal(c.reliable_udp, 13);
    assert_int_equal(c.nv_feature_flags, 167);
    assert_int_equal(c.ml_feature_flags, 3);
    assert_int_equal(c.encryption_enabled, 7);
    assert_int_equal(c.audio_channels, 6);
    assert_int_equal(c.audio_channel_mask, 63);
    assert_int_equal(c.audio_high_quality, 1);
    assert_int_equal(c.audio_packet_ms, 5);
    assert_int_equal(c.video_qos, 5);
    assert_int_equal(c.audio_qos, 4);
    assert_int_equal(c.encrypt_control, 1);
    assert_int_equal(c.control_iv_v2, 1);
    assert_int_equal(c.encrypt_video, 1);
    assert_int_equal(c.encrypt_audio, 1);
}

static void announce_defaults_and_errors(void **state)
{
    const char *min = "a=x-nv-video[0].clientViewportWd:0x500\na=x-nv-video[0].clientViewportHt:720\n"
                      "a=x-nv-video[0].maxFPS:120\na=x-nv-video[0].packetSize:1024\n"
                      "a=x-nv-vqos[0].bw.maximumBitrateKbps:5000\n"
                      "a=x-nv-audio.surround.numChannels:2\n";
    pf_net_gs_stream_config c = {.struct_size = sizeof(c)};
    assert_int_equal(pf_net_gs_announce_parse(min, strlen(min), &c), 0);
    assert_int_equal(c.width, 1280); /* strtoul(…, 0) accepts hex */
    assert_int_equal(c.codec, PF_NET_GS_STREAM_H264);
    assert_int_equal(c.reliable_udp, 1);
    assert_int_equal(c.encrypt_control, 0);
    assert_int_equal(c.nv_feature_flags, 135);
    assert_int_equal(c.encrypt_audio, 0);
    assert_int_equal(c.audio_packet_ms, 5);
    assert_int_equal(c.audio_channel_mask, 3);
    assert_int_equal(c.slices, 1);

    /* Every required attribute, removed in turn, makes the body malformed. */
    const char *required[] = {"clientViewportWd", "clientViewportHt", "maxFPS", "packetSize",
                              "maximumBitrateKbps", "numChannels"};
    for (size_t i = 0; i < 6; i++) {
        char *b = strdup(min), *p = strstr(b, required[i]);
        p[0] = 'X';
        pf_net_gs_stream_config d = {.struct_size = sizeof(d)};
        assert_int_equal(pf_net_gs_announce_parse(b, strlen(b), &d), PF_ERR_MALFORMED);
        free(b);
    }
    const char *bad[] = {
        "a=x-nv-audio.surround.numChannels:4\n",
        "a=x-nv-aqos.packetDuration:7\n",
        "a=x-nv-vqos[0].bitStreamFormat:3\n",
        "a=x-nv-video[0].maxFPS:0\n",
        "a=x-nv-video[0].maxFPS:\n",
        "a=x-nv-video[0].clientViewportWd:99999999999999999999\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char b[1024];
        snprintf(b, sizeof(b), "%s%s", min, bad[i]);
        pf_net_gs_stream_config d = {.struct_size = sizeof(d)};
        assert_int_equal(pf_net_gs_announce_parse(b, strlen(b), &d), PF_ERR_MALFORMED);
    }
    pf_net_gs_stream_config small = {.struct_size = 8};
    assert_int_equal(pf_net_gs_announce_parse(min, strlen(min), &small), PF_ERR_INVALID_ARGUMENT);
}

static void request_framing(void **state)
{
    const char req[] = "ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\n"
                       "X-GS-ClientVersion: 14\r\nHost: 0.0.0.0\r\nSession: DEADBEEF;timeout = 90\r\n"
                       "Content-type: application/sdp\r\nContent-length: 5\r\n\r\nv=0\r\n";
    size_t len = strlen(req);
    pfi_rtsp_request r;
    /* Every prefix asks for more (the client may send in several small pieces). */
    for (size_t i = 0; i < len; i++)
        assert_int_equal(pfi_rtsp_request_parse(req, i, &r), PF_ERR_AGAIN);
    assert_int_equal(pfi_rtsp_request_parse(req, len, &r), 0);
    assert_int_equal(r.method, PFI_RTSP_ANNOUNCE);
    assert_int_equal(r.stream, PFI_RTSP_STREAM_CONTROL);
    assert_int_equal(r.cseq, 6);
    assert_int_equal(r.session_len, 8);
    assert_memory_equal(r.session, "DEADBEEF", 8);
    assert_int_equal(r.host_len, 7);
    assert_int_equal(r.body_len, 5);
    assert_memory_equal(r.body, "v=0\r\n", 5);
    assert_int_equal(r.total_len, len);

    const char setup[] = "SETUP streamid=audio/0/0 RTSP/1.0\r\nCSeq: 3\r\n\r\n";
    assert_int_equal(pfi_rtsp_request_parse(setup, strlen(setup), &r), 0);
    assert_int_equal(r.method, PFI_RTSP_SETUP);
    assert_int_equal(r.stream, PFI_RTSP_STREAM_AUDIO);
    assert_null(r.session);
    const char other[] = "FOO streamid=bogus/0/0 RTSP/1.0\r\nCSeq: 3\r\n\r\n";
    assert_int_equal(pfi_rtsp_request_parse(other, strlen(other), &r), 0);
    assert_int_equal(r.method, 0);
    assert_int_equal(r.stream, PFI_RTSP_STREAM_NONE);
}

static void request_rejects(void **state)
{
    const char *bad[] = {
        "OPTIONS x RTSP/1.0\r\n\r\n",                       /* no CSeq */
        "OPTIONS x HTTP/1.1\r\nCSeq: 1\r\n\r\n",            /* wrong protocol */
        "OPTIONS\r\nCSeq: 1\r\n\r\n",                       /* no target */
        "OPTIONS x RTSP/1.0\r\nCSeq 1\r\n\r\n",             /* header without colon */
        "OPTIONS x RTSP/1.0\r\nCSeq: x\r\n\r\n",            /* CSeq not a number */
        "OPTIONS x RTSP/1.0\nCSeq: 1\r\n\r\n",              /* bare LF */
        "OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nContent-length: 1\r\nContent-length: 1\r\n\r\nx",
        "\r\n\r\n",
    };
    pfi_rtsp_request r;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(pfi_rtsp_request_parse(bad[i], strlen(bad[i]), &r), PF_ERR_MALFORMED);
    const char huge[] = "OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nContent-length: 999999\r\n\r\n";
    assert_int_equal(pfi_rtsp_request_parse(huge, strlen(huge), &r), PF_ERR_LIMIT);
    char *endless = malloc(PFI_RTSP_MAX_MESSAGE);
    memset(endless, 'A', PFI_RTSP_MAX_MESSAGE);
    assert_int_equal(pfi_rtsp_request_parse(endless, PFI_RTSP_MAX_MESSAGE, &r), PF_ERR_LIMIT);
    free(endless);
}

static void describe_and_reply(void **state)
{
    char sdp[2048];
    pfi_rtsp_describe d = {.codec_mask = PF_NET_GS_CODEC_H264, .feature_flags = 3,
                           .encryption_supported = 5, .encryption_requested = 1};
    int n = pfi_rtsp_describe_sdp(&d, sdp, sizeof(sdp));
    assert_true(n > 0);
    assert_non_null(strstr(sdp, "a=x-ss-general.featureFlags:3\n"));
    assert_non_null(strstr(sdp, "a=x-ss-general.encryptionSupported:5\n"));
    assert_non_null(strstr(sdp, "a=x-ss-general.encryptionRequested:1\n"));
    assert_null(strstr(sdp, "sprop-parameter-sets=AAAAAU"));
    assert_null(strstr(sdp, "AV1/90000"));
    assert_null(strstr(sdp, "refPicInvalidation"));
    /* §8.2: normal then high quality for 6 and 8 channels, in that order. */
    const char *n6 = strstr(sdp, "surround-params=642012453"), *h6 = strstr(sdp, "surround-params=660012345");
    const char *n8 = strstr(sdp, "surround-params=85301245673"), *h8 = strstr(sdp, "surround-params=88001234567");
    assert_true(n6 && h6 && n8 && h8 && n6 < h6 && n8 < h8);
    /* The encoder's own layouts replace the defaults; empty entries are left out. */
    const char mine[4][16] = {"642014235", "", "85301672345", "88001234567"};
    d.surround = mine;
    n = pfi_rtsp_describe_sdp(&d, sdp, sizeof(sdp));
    assert_non_null(strstr(sdp, "surround-params=642014235\n"));
    assert_null(strstr(sdp, "surround-params=6600"));
    assert_non_null(strstr(sdp, "surround-params=85301672345\n"));
    d.surround = NULL;
    d.codec_mask |= PF_NET_GS_CODEC_HEVC | PF_NET_GS_CODEC_AV1_MAIN8;
    n = pfi_rtsp_describe_sdp(&d, sdp, sizeof(sdp));
    assert_non_null(strstr(sdp, "sprop-parameter-sets=AAAAAU"));
    assert_non_null(strstr(sdp, "a=rtpmap:98 AV1/90000"));
    assert_int_equal(pfi_rtsp_describe_sdp(&d, sdp, 64), PF_ERR_BUFFER_TOO_SMALL);

    char out[256];
    n = pfi_rtsp_reply(200, 3, "Session: AB;timeout = 90\r\n", NULL, 0, out, sizeof(out));
    assert_int_equal(n, (int)strlen("RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: AB;timeout = 90\r\n\r\n"));
    assert_memory_equal(out, "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: AB;timeout = 90\r\n\r\n", (size_t)n);
    n = pfi_rtsp_reply(404, 9, NULL, "xy", 2, out, sizeof(out));
    assert_memory_equal(out, "RTSP/1.0 404 NOT FOUND\r\nCSeq: 9\r\n\r\nxy", (size_t)n);
    assert_int_equal(pfi_rtsp_reply(200, 1, NULL, NULL, 0, out, 10), PF_ERR_BUFFER_TOO_SMALL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(announce_every_attribute),
        cmocka_unit_test(announce_defaults_and_errors),
        cmocka_unit_test(request_framing),
        cmocka_unit_test(request_rejects),
        cmocka_unit_test(describe_and_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
