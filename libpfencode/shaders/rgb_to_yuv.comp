#version 450
/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RGB -> YUV 4:2:0 for the encoders. One invocation converts an 8x2 block, so every 32-bit
 * word it writes belongs to it alone (no atomics): 8 luma samples per row and 4 chroma
 * pairs, whether samples are 8 or 16 bits wide and chroma is planar or interleaved. */
layout(local_size_x = 8, local_size_y = 8) in;

layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) writeonly buffer Luma { uint luma[]; };
layout(std430, binding = 2) writeonly buffer ChromaU { uint cu[]; };
layout(std430, binding = 3) writeonly buffer ChromaV { uint cv[]; };

const uint F_RGBX = 1u;    /* bytes R,G,B,x (else B,G,R,x) */
const uint F_PLANAR = 2u;  /* separate U and V planes (else interleaved UV, NV12/P010) */
const uint F_WIDE = 4u;    /* 16-bit samples (else 8-bit) */
const uint F_MSB = 8u;     /* 16-bit samples carry the value in the top bits (P010) */
const uint F_FULL = 16u;   /* full range output (else limited) */
const uint F_X2R10 = 32u;  /* source is XRGB2101010 */

layout(push_constant) uniform Params {
    uint width;
    uint height;
    uint src_stride;  /* in 32-bit words */
    uint y_stride;    /* in 32-bit words */
    uint c_stride;    /* in 32-bit words */
    uint flags;
    uint depth;       /* 8 or 10 */
    uint pad;
    vec4 coef;        /* Kr, Kb */
} pc;

vec3 fetch(uint x, uint y)
{
    uint p = src[y * pc.src_stride + x];
    if ((pc.flags & F_X2R10) != 0u)
        return vec3(float((p >> 20) & 1023u), float((p >> 10) & 1023u), float(p & 1023u)) / 1023.0;
    vec3 c = vec3(float(p & 255u), float((p >> 8) & 255u), float((p >> 16) & 255u)) / 255.0;
    return (pc.flags & F_RGBX) != 0u ? c : c.bgr;
}

uint luma_of(vec3 c, float scale, float maxv)
{
    float kr = pc.coef.x, kb = pc.coef.y, kg = 1.0 - kr - kb;
    float y = kr * c.r + kg * c.g + kb * c.b;
    float v = (pc.flags & F_FULL) != 0u ? y * maxv : 16.0 * scale + 219.0 * scale * y;
    return uint(clamp(floor(v + 0.5), 0.0, maxv));
}

uvec2 chroma_of(vec3 c, float scale, float maxv)
{
    float kr = pc.coef.x, kb = pc.coef.y, kg = 1.0 - kr - kb;
    float y = kr * c.r + kg * c.g + kb * c.b;
    float cb = (c.b - y) / (2.0 * (1.0 - kb));
    float cr = (c.r - y) / (2.0 * (1.0 - kr));
    float range = (pc.flags & F_FULL) != 0u ? maxv : 224.0 * scale;
    float mid = 128.0 * scale;
    return uvec2(clamp(floor(mid + range * cb + 0.5), 0.0, maxv),
                 clamp(floor(mid + range * cr + 0.5), 0.0, maxv));
}

void main()
{
    uint bx = gl_GlobalInvocationID.x, by = gl_GlobalInvocationID.y;
    if (bx * 8u >= pc.width || by * 2u >= pc.height)
        return;
    float scale = pc.depth == 10u ? 4.0 : 1.0;
    float maxv = pc.depth == 10u ? 1023.0 : 255.0;
    uint shift = (pc.flags & F_MSB) != 0u ? 16u - pc.depth : 0u;
    bool wide = (pc.flags & F_WIDE) != 0u;

    uint ys[16];
    uvec2 cs[4];
    for (uint i = 0u; i < 4u; i++) {
        uint x = bx * 8u + i * 2u, y = by * 2u;
        vec3 a = fetch(x, y), b = fetch(x + 1u, y);
        vec3 c = fetch(x, y + 1u), d = fetch(x + 1u, y + 1u);
        ys[i * 2u] = luma_of(a, scale, maxv);
        ys[i * 2u + 1u] = luma_of(b, scale, maxv);
        ys[8u + i * 2u] = luma_of(c, scale, maxv);
        ys[8u + i * 2u + 1u] = luma_of(d, scale, maxv);
        cs[i] = chroma_of((a + b + c + d) * 0.25, scale, maxv);
    }
    for (uint row = 0u; row < 2u; row++) {
        uint base = (by * 2u + row) * pc.y_stride;
        if (wide) {
            for (uint w = 0u; w < 4u; w++)
                luma[base + bx * 4u + w] = (ys[row * 8u + w * 2u] << shift) |
                                           ((ys[row * 8u + w * 2u + 1u] << shift) << 16);
        } else {
            for (uint w = 0u; w < 2u; w++) {
                uint o = row * 8u + w * 4u;
                luma[base + bx * 2u + w] = ys[o] | (ys[o + 1u] << 8) | (ys[o + 2u] << 16) |
                                           (ys[o + 3u] << 24);
            }
        }
    }
    uint cbase = by * pc.c_stride;
    if ((pc.flags & F_PLANAR) != 0u) {
        if (wide) {
            for (uint w = 0u; w < 2u; w++) {
                cu[cbase + bx * 2u + w] = (cs[w * 2u].x << shift) | ((cs[w * 2u + 1u].x << shift) << 16);
                cv[cbase + bx * 2u + w] = (cs[w * 2u].y << shift) | ((cs[w * 2u + 1u].y << shift) << 16);
            }
        } else {
            cu[cbase + bx] = cs[0].x | (cs[1].x << 8) | (cs[2].x << 16) | (cs[3].x << 24);
            cv[cbase + bx] = cs[0].y | (cs[1].y << 8) | (cs[2].y << 16) | (cs[3].y << 24);
        }
    } else {
        if (wide) {
            for (uint w = 0u; w < 4u; w++)
                cu[cbase + bx * 4u + w] = (cs[w].x << shift) | ((cs[w].y << shift) << 16);
        } else {
            for (uint w = 0u; w < 2u; w++)
                cu[cbase + bx * 2u + w] = cs[w * 2u].x | (cs[w * 2u].y << 8) |
                                          (cs[w * 2u + 1u].x << 16) | (cs[w * 2u + 1u].y << 24);
        }
    }
}
