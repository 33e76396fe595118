/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decodes a file pf-record wrote and checks it: one H.264 track of the asked size, every
 * packet decodes, about SECONDS * FPS frames over about SECONDS, and a moving picture.
 * usage: check_recording FILE WIDTH HEIGHT SECONDS FPS   (prints TAP) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

static int n_tests, n_failed;

static void tap(int ok, const char *what)
{
    n_tests++;
    n_failed += !ok;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", n_tests, what);
}

/* A checksum of the luma plane: equal for equal pictures. */
static uint64_t luma_sum(const AVFrame *f)
{
    uint64_t h = 1469598103934665603ull;
    for (int y = 0; y < f->height; y += 4)
        for (int x = 0; x < f->width; x += 4)
            h = (h ^ f->data[0][(size_t)y * (size_t)f->linesize[0] + (size_t)x]) *
                1099511628211ull;
    return h;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: check_recording FILE WIDTH HEIGHT SECONDS FPS\n");
        return 2;
    }
    int w = atoi(argv[2]), h = atoi(argv[3]);
    double secs = atof(argv[4]), fps = atof(argv[5]);
    printf("1..5\n");
    AVFormatContext *in = NULL;
    if (avformat_open_input(&in, argv[1], NULL, NULL) < 0 ||
        avformat_find_stream_info(in, NULL) < 0) {
        tap(0, "the file opens as a media file");
        return 1;
    }
    tap(1, "the file opens as a media file");
    const AVCodecParameters *par = in->streams[0]->codecpar;
    char what[160];
    snprintf(what, sizeof(what), "%s holds one H.264 track of %dx%d", in->iformat->name, w, h);
    tap(in->nb_streams == 1 && par->codec_id == AV_CODEC_ID_H264 && par->width == w &&
            par->height == h && strstr(in->iformat->name, "matroska") != NULL,
        what);
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    AVCodecContext *dec = codec ? avcodec_alloc_context3(codec) : NULL;
    if (!dec || avcodec_parameters_to_context(dec, par) < 0 || avcodec_open2(dec, codec, NULL) < 0) {
        tap(0, "an H.264 decoder opens");
        return 1;
    }
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    long packets = 0, decoded = 0, errors = 0;
    int64_t last_pts = 0;
    uint64_t first_sum = 0, last_sum = 0;
    int flushing = 0;
    while (!flushing) {
        if (av_read_frame(in, pkt) < 0) {
            flushing = 1;
            avcodec_send_packet(dec, NULL);
        } else {
            packets++;
            if (pkt->pts != AV_NOPTS_VALUE && pkt->pts > last_pts)
                last_pts = pkt->pts;
            errors += avcodec_send_packet(dec, pkt) < 0;
            av_packet_unref(pkt);
        }
        while (avcodec_receive_frame(dec, frame) == 0) {
            errors += frame->width != w || frame->height != h || frame->decode_error_flags;
            last_sum = luma_sum(frame);
            if (decoded++ == 0)
                first_sum = last_sum;
        }
    }
    double span = (double)last_pts * av_q2d(in->streams[0]->time_base);
    printf("# %ld packets, %ld frames decoded, %ld errors, %.2f s\n", packets, decoded, errors,
           span);
    tap(packets > 0 && decoded == packets && errors == 0, "every packet decodes to a picture");
    /* The source runs on its own clock: a loaded machine may drop a few frames, never add. */
    snprintf(what, sizeof(what), "about %.0f frames (%.0f s at %.0f fps)", secs * fps, secs, fps);
    tap(decoded >= (long)(secs * fps * 0.6) && decoded <= (long)(secs * fps * 1.1) + 2, what);
    tap(span > secs * 0.7 && span < secs * 1.2 && first_sum != last_sum,
        "the timestamps span the recording and the picture moves");
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&in);
    return n_failed ? 1 : 0;
}
