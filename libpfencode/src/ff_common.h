/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FFmpeg glue shared by every backend: the low-latency codec context, the send/receive loop
 * into the access-unit ring, pixel-format mapping and hw device/frames contexts. */
#ifndef PF_ENCODE_FF_COMMON_H
#define PF_ENCODE_FF_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/pixfmt.h>

#include "encoder_impl.h"


struct pfi_ff_stream {
    AVCodecContext *ctx;
    AVPacket *pkt;
    const char *codec_name;
    enum AVPixelFormat pix_fmt;     /* what the encoder takes (sw format or hw format) */
    AVBufferRef *hw_frames;         /* borrowed reference kept for re-creation, or NULL */
    uint32_t base_fps;              /* frame rate the context was opened with */
    int64_t next_pts;               /* microseconds of nominal time */
    int64_t pts_of[PFI_FRAME_HISTORY];   /* frame index -> pts, to label delayed output */
    bool broken;                    /* an error happened: re-create before the next frame */
    bool live_bitrate;              /* the codec reconfigures its rate in place */
};

/* Name of the FFmpeg encoder for a backend and codec, or NULL. */
const char *pfi_ff_codec_name(uint32_t backend, uint32_t codec);

/* 1 when libavcodec in this process has an encoder of that name. */
bool pfi_ff_has_encoder(const char *name);

/* Maps PF_FRAME_FORMAT_* to an FFmpeg pixel format (AV_PIX_FMT_NONE if unknown). */
enum AVPixelFormat pfi_ff_pix_fmt(uint32_t format);

/* Maps an AVERROR to a PF_ERR_* value. */
int pfi_ff_error(int averr);

/* Opens the codec with low-latency options derived from s. hw_frames may be NULL. */
int pfi_ff_open(struct pfi_ff_stream *st, const char *codec_name,
                const pf_encode_video_settings *s, enum AVPixelFormat pix_fmt,
                AVBufferRef *hw_frames);
void pfi_ff_close(struct pfi_ff_stream *st);

/* Sends one frame (stamped here) and moves every finished packet into video's ring. On an
 * encoder error the stream is marked broken and re-created before the next frame. */
int pfi_ff_encode(struct pf_encode_video *video, struct pfi_ff_stream *st, AVFrame *in,
                  bool idr);

/* Every FFmpeg backend's stream struct starts with a struct pfi_ff_stream, so this serves
 * as their reconfigure hook directly. */
int pfi_ff_backend_reconfigure(struct pf_encode_video *video);

/* Applies video->settings' rate; returns 1 when the context had to be re-created. */
int pfi_ff_reconfigure(struct pf_encode_video *video, struct pfi_ff_stream *st);

/* Opens an FFmpeg hw device; PF_ERR_NOT_FOUND when the machine has none. */
int pfi_ff_hw_device(enum AVHWDeviceType type, const char *path, AVBufferRef **ret_ref);

/* Creates a hw frames pool on device. */
int pfi_ff_hw_frames(AVBufferRef *device, enum AVPixelFormat hw_fmt, enum AVPixelFormat sw_fmt,
                     uint32_t width, uint32_t height, AVBufferRef **ret_ref);

/* Fills caps shared by the FFmpeg-driven backends for one encoder name. */
void pfi_ff_fill_caps(pf_encode_caps *caps, const char *codec_name);

#endif
