/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-record: record a PipeWire video source to a Matroska file with libpfcapture (capture),
 * libpfencode (H.264) and libavformat (muxing). Without --node it records libpfcapture's
 * test pattern, so it runs wherever a PipeWire daemon (with WirePlumber) does.
 *
 *   pf-record [--seconds N] [--size WxH] [--fps N] [--node ID] OUT.mkv
 *
 * Build: cc pf-record.c $(pkg-config --cflags --libs libpfcapture libpfencode libavformat \
 *            libavcodec libavutil)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavformat/avformat.h>
#include <pf/capture.h>
#include <pf/capture_testpattern.h>
#include <pf/core/error.h>
#include <pf/encode.h>

typedef struct recorder {
    AVFormatContext *mkv;
    AVStream *st;
    uint64_t first_pts_ns;
    uint64_t frames;
    uint8_t *buf;
    size_t cap;
} recorder;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Matroska keeps H.264's SPS and PPS in the track header: take them from the first access
 * unit (an IDR with in-band parameter sets, Annex B). */
static int set_extradata(AVCodecParameters *par, const uint8_t *au, size_t n)
{
    size_t end = 0;
    for (size_t i = 0; i + 3 < n; i++) {
        if (au[i] || au[i + 1] || au[i + 2] != 1)
            continue;
        int type = au[i + 3] & 0x1f;
        if (type == 1 || type == 5) { /* the first slice: parameter sets end before it */
            end = i > 0 && au[i - 1] == 0 ? i - 1 : i;
            break;
        }
    }
    if (end == 0 || !(par->extradata = av_mallocz(end + AV_INPUT_BUFFER_PADDING_SIZE)))
        return PF_ERR_IO;
    memcpy(par->extradata, au, end);
    par->extradata_size = (int)end;
    return 0;
}

/* Moves every finished access unit from the encoder into the file. */
static int drain(recorder *r, pf_encode_video *enc)
{
    pf_encode_packet info = {.struct_size = sizeof(info)};
    while (pf_encode_video_peek(enc, &info) == 0) {
        if (info.size > r->cap) {
            free(r->buf);
            r->cap = (size_t)info.size * 2;
            if (!(r->buf = malloc(r->cap)))
                return PF_ERR_NOMEM;
        }
        int n = pf_encode_video_receive(enc, r->buf, r->cap, &info);
        if (n < 0)
            return n;
        if (r->frames == 0) {
            r->first_pts_ns = info.pts_ns;
            if (set_extradata(r->st->codecpar, r->buf, (size_t)n) < 0 ||
                avformat_write_header(r->mkv, NULL) < 0)
                return PF_ERR_IO;
        }
        AVPacket *pkt = av_packet_alloc();
        if (!pkt || av_new_packet(pkt, n) < 0)
            return PF_ERR_NOMEM;
        memcpy(pkt->data, r->buf, (size_t)n);
        pkt->pts = pkt->dts = av_rescale_q((int64_t)(info.pts_ns - r->first_pts_ns),
                                           (AVRational){1, 1000000000}, r->st->time_base);
        pkt->stream_index = r->st->index;
        if (info.flags & PF_ENCODE_PACKET_IDR)
            pkt->flags |= AV_PKT_FLAG_KEY;
        int w = av_interleaved_write_frame(r->mkv, pkt);
        av_packet_free(&pkt);
        if (w < 0)
            return PF_ERR_IO;
        r->frames++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seconds", required_argument, NULL, 's'}, {"size", required_argument, NULL, 'z'},
        {"fps", required_argument, NULL, 'f'},     {"node", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    double seconds = 5;
    unsigned width = 640, height = 360, fps = 30, node = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if ((c == 's' && sscanf(optarg, "%lf", &seconds) != 1) ||
            (c == 'z' && sscanf(optarg, "%ux%u", &width, &height) != 2) ||
            (c == 'f' && sscanf(optarg, "%u", &fps) != 1) ||
            (c == 'n' && sscanf(optarg, "%u", &node) != 1) || c == '?') {
            fprintf(stderr, "usage: pf-record [--seconds N] [--size WxH] [--fps N] "
                            "[--node ID] OUT.mkv\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "pf-record: name one output file (.mkv)\n");
        return 2;
    }

    /* 1. The source: a PipeWire node, by default libpfcapture's test pattern. */
    pf_capture_testpattern *pattern = NULL;
    if (!node) {
        pf_capture_testpattern_settings ts;
        pf_capture_testpattern_settings_init(&ts);
        ts.width = width, ts.height = height, ts.fps = fps;
        int r = pf_capture_testpattern_create(&ts, &pattern);
        if (r < 0) {
            fprintf(stderr, "pf-record: test pattern: %s (is PipeWire running?)\n",
                    pf_strerror(r));
            return 1;
        }
        node = (unsigned)pf_capture_testpattern_get_node_id(pattern);
    }

    /* 2. Capture it in CPU memory (BGRx), at the size and rate we encode. */
    pf_capture_settings cs;
    pf_capture_settings_init(&cs);
    cs.node_id = node;
    cs.flags = PF_CAPTURE_FLAG_NO_DMABUF;
    cs.formats[0] = PF_FRAME_FORMAT_BGRX, cs.n_formats = 1;
    cs.width = width, cs.height = height, cs.fps = fps;
    pf_capture *cap = NULL;
    int r = pf_capture_create(&cs, NULL, NULL, &cap);
    if (r == 0)
        r = pf_capture_start(cap);

    /* 3. An H.264 encoder on the best device there is (a GPU, else the CPU). */
    pf_encode_device *dev = NULL;
    pf_encode_video *enc = NULL;
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    pf_encode_video_settings vs;
    pf_encode_video_settings_default(&vs);
    vs.width = width, vs.height = height, vs.fps = fps, vs.bitrate_kbps = 4000;
    vs.input_format = PF_FRAME_FORMAT_BGRX;
    if (r == 0 && (r = pf_encode_device_create(&ds, &dev)) == 0)
        r = pf_encode_video_create(dev, &vs, &enc);

    /* 4. A Matroska file with one H.264 track; its header waits for the first IDR. */
    recorder rec = {0};
    if (r == 0 && (avformat_alloc_output_context2(&rec.mkv, NULL, "matroska", argv[optind]) < 0 ||
                   !(rec.st = avformat_new_stream(rec.mkv, NULL)) ||
                   avio_open(&rec.mkv->pb, argv[optind], AVIO_FLAG_WRITE) < 0))
        r = PF_ERR_IO;
    if (r == 0) {
        rec.st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
        rec.st->codecpar->codec_id = AV_CODEC_ID_H264;
        rec.st->codecpar->width = (int)width;
        rec.st->codecpar->height = (int)height;
        rec.st->time_base = (AVRational){1, 1000};
        rec.st->avg_frame_rate = (AVRational){(int)fps, 1};
    }

    /* 5. Frames in, access units out, until the time is up. */
    double end = now_s() + seconds;
    while (r == 0 && now_s() < end) {
        pf_frame *frame;
        int got = pf_capture_acquire_frame(cap, &frame);
        if (got == PF_ERR_AGAIN) {
            int st = pf_capture_wait(cap, 100);
            r = st < 0 ? st : 0;
            continue;
        }
        if (got < 0) {
            r = got;
            break;
        }
        r = pf_encode_video_submit(enc, frame, rec.frames == 0 ? PF_ENCODE_SUBMIT_IDR : 0);
        pf_frame_release(frame);
        if (r == 0)
            r = drain(&rec, enc);
    }
    if (r == 0 && rec.frames > 0)
        r = av_write_trailer(rec.mkv) < 0 ? PF_ERR_IO : 0;
    else if (r == 0)
        r = PF_ERR_TIMEOUT; /* not one frame in the whole time */
    if (r < 0)
        fprintf(stderr, "pf-record: failed: %s\n", pf_strerror(r));
    else
        printf("pf-record: %llu frames of %ux%u in %s\n", (unsigned long long)rec.frames, width,
               height, argv[optind]);

    if (rec.mkv)
        avio_closep(&rec.mkv->pb);
    avformat_free_context(rec.mkv);
    free(rec.buf);
    pf_encode_video_destroy(enc);
    pf_encode_device_destroy(dev);
    pf_capture_destroy(cap);
    pf_capture_testpattern_destroy(pattern);
    return r < 0 ? 1 : 0;
}
