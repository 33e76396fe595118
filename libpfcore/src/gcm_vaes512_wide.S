/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The long-message loop of the 512-bit AES-128-GCM kernel (gcm_vaes512.c), scheduled by
 * hand: 32 blocks per iteration in eight AES chains, and 32 blocks hashed beside their
 * rounds, with one reduction per four iterations (H^128..H^1). The same loop in intrinsics
 * ran 67-70 cycles per 256 bytes on AMD Zen 4; the compiler spilled products to the stack
 * and folded the lanes of the sums with cross-lane extractions. On Zen 4 the AES rounds
 * and the carry-less multiplications share their execution units, and so do byte shuffles
 * (vpshufb), cross-lane moves (vextracti64x4, vbroadcasti32x4) and, when those units are
 * full, plain vector logic: every instruction here that is not a round costs round time.
 * So:
 *   - the round keys are read already broadcast (no vbroadcasti32x4 in the loop);
 *   - the eight vectors are hashed after rounds 1-7, one after each and two after the
 *     seventh (placed by measurement: 1-2 % less time per 16 KiB on Zen 4 than one, two,
 *     two, two and one after rounds 2-6), their products summed in three-way XORs (twelve
 *     per iteration for 24 products);
 *   - the reduction works on all four lanes at once, after round 7 of every fourth
 *     iteration (H^128..H^33 hash the first three of each four, whose products the
 *     fourth's join: 4-5 % less time per byte on Zen 4 than a reduction every iteration),
 *     and folds the lanes with two extractions: once per four iterations they cost no
 *     measurable time, and the loop touches no memory but the message, the round keys and
 *     the powers (no stack slot whose reload could wait behind the message's stores);
 *   - the counters of seven iterations in eight are the first vector XOR constants (see
 *     COUNTERS), one byte shuffle and one addition per iteration;
 *   - the input joins the last round's key before the last round (which adds its key), not
 *     its output after it: one step less on every chain's path to the store, 1.5-2 % less
 *     time per 16 KiB on Zen 4;
 *   - an iteration's output is stored during the next one, each vector beside its hashing,
 *     rather than all eight together after the last round: 1.5 % less time per 16 KiB
 *     sealed on Zen 4, 0.5 % opened;
 *   - one iteration's code serves all four: a pointer steps through the four sets of
 *     powers, and the fourth set's iteration branches into the reduction. Unrolled four
 *     times (the powers' offsets and the reduction fixed in each copy) the loop took the
 *     same time on Zen 4, with and without another thread on the core, from four times
 *     the code.
 *
 * Register use (zmm):
 *   0-7    keystream chains          8-15   opening: this iteration's input; sealing:
 *                                           the last iteration's ciphertext; from the last
 *                                           round on, this iteration's output
 *   16-18  unreduced sums lo, hi, mid (Karatsuba)
 *   19-21  temporaries; from round 8 on, zmm21 holds the last round key
 *   22     round key of the current round
 *   23     byte-reversal mask        24     GHASH state (low lane; upper lanes zero)
 *   25     counters, byte-reversed (lane i holds counter n + i in its low dword)
 *   26-28  an even vector's products, waiting for the next vector's
 *   29     the reduction constant in every lane
 *
 * Arithmetic as in gcm_vaes512.c: POLYVAL domain, blocks byte-reversed before hashing,
 * Karatsuba products, Montgomery reduction. Only called on CPUs with AVX-512 VAES and
 * VPCLMULQDQ; declared in gcm_vaes.h:
 *
 * void pfi_gcm_vaes512_wide_open(const void *rk, const void *powers, const uint8_t *in,
 *                                uint8_t *out, size_t iters, struct pfi_gcm_wide_state *st);
 * void pfi_gcm_vaes512_wide_seal(same);
 * rk: the eleven round keys, each broadcast to 64 bytes. powers: H^128..H^1 four to a
 * 64-byte vector (32 vectors), then their Karatsuba halves (32 vectors). st: counters
 * (64 bytes), the state (16 bytes) and the first counter n (32 bits). iters: at least
 * one. Sealing runs its first iteration without hashing (nothing before it) and hashes
 * the last one's ciphertext after the loop. */

#if defined(__x86_64__) && defined(__ELF__)

#define ST_CTR 0
#define ST_S 64
#define ST_N 80

        .section .rodata
        .balign 64
.Lbswap:
        .byte 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
        .byte 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
        .byte 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
        .byte 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0
/* Counter step in memory order: 28 added to the last byte of every block. */
.Lstep_be:
        .irp j, 7
        .rept 4
        .long 0, 0, 0, (4 * \j) << 24
        .endr
        .endr
/* The same in the byte-reversed lanes: 4j added to the low dword. */
.Lstep_le:
        .irp j, 1, 2, 3, 4, 5, 6, 7, 8
        .rept 4
        .long 4 * \j, 0, 0, 0
        .endr
        .endr
/* The same as XOR masks: with n = 2 modulo 32, counters n + l and n + 4j + l (4j + l below
 * 30) differ only in the last byte, by (2 + l) ^ (2 + 4j + l). */
.Lstep_x:
        .irp j, 1, 2, 3, 4, 5, 6
        .irp l, 0, 1, 2, 3
        .long 0, 0, 0, ((2 + \l) ^ (2 + 4 * \j + \l)) << 24
        .endr
        .endr
.Lpoly:
        .quad 0, 0xC200000000000000

        .text

/* Keystream chains 0-7 from the counters, first round key added; advances the counters.
 * With a 12-byte nonce the first block's counter n is 2 modulo 32 at every iteration, and
 * in seven iterations out of eight its last byte cannot wrap within the 32 blocks: then
 * chains 1-6 are the first chain XOR constants (.Lstep_x, the round key added once) and
 * chain 7 the first vector plus a constant (its last two blocks carry into bit 5). Any other
 * iteration reverses the bytes of each chain's counters. */
.macro COUNTERS
        vpshufb %zmm23, %zmm25, %zmm0
        vmovdqu64 0(%rdi), %zmm22
        movl    %r10d, %eax
        andl    $0xff, %eax
        cmpl    $0xe0, %eax
        ja      1f
        andl    $31, %eax
        cmpl    $2, %eax
        jne     1f
        vpaddd  .Lstep_be(%rip), %zmm0, %zmm7
        vpxorq  %zmm22, %zmm0, %zmm0
        .irp j, 1, 2, 3, 4, 5, 6
        vpxorq  .Lstep_x+(\j - 1) * 64(%rip), %zmm0, %zmm\j
        .endr
        vpxorq  %zmm22, %zmm7, %zmm7
        jmp     2f
1:
        .irp j, 1, 2, 3, 4, 5, 6, 7
        vpaddd  .Lstep_le+(\j - 1) * 64(%rip), %zmm25, %zmm\j
        vpshufb %zmm23, %zmm\j, %zmm\j
        .endr
        .irp j, 0, 1, 2, 3, 4, 5, 6, 7
        vpxorq  %zmm22, %zmm\j, %zmm\j
        .endr
2:
        vpaddd  .Lstep_le+7*64(%rip), %zmm25, %zmm25
        addl    $32, %r10d
.endm

/* The unreduced sums cleared (zeroing idioms: no execution unit). */
.macro ZERO_SUMS
        vpxord  %zmm16, %zmm16, %zmm16
        vpxord  %zmm17, %zmm17, %zmm17
        vpxord  %zmm18, %zmm18, %zmm18
.endm

/* Round r on all eight chains (the keys are read broadcast, rk + 64 r). */
.macro ROUND r
        vmovdqu64 (64 * \r)(%rdi), %zmm22
        .irp j, 0, 1, 2, 3, 4, 5, 6, 7
        vaesenc %zmm22, %zmm\j, %zmm\j
        .endr
.endm


/* Vector j (memory order, in src) hashed with power vector j of the set at %r11 (its
 * Karatsuba halves 2048 bytes on); the state joins the first, and is cleared: the sums
 * carry it until the next reduction. An even vector's products wait in zmm26-28 and join
 * the sums with the next vector's in one three-way XOR each (the sums start at zero). */
.macro HASHP j, src
        vpshufb %zmm23, \src, %zmm19
        .if \j == 0
        vpxorq  %zmm24, %zmm19, %zmm19
        vpxord  %zmm24, %zmm24, %zmm24
        .endif
        .if \j % 2 == 0
        vpclmulqdq $0x00, (64 * \j)(%r11), %zmm19, %zmm26
        vpshufd $0x4e, %zmm19, %zmm21
        vpclmulqdq $0x11, (64 * \j)(%r11), %zmm19, %zmm27
        vpxorq  %zmm19, %zmm21, %zmm21
        vpclmulqdq $0x00, (2048 + 64 * \j)(%r11), %zmm21, %zmm28
        .else
        vpclmulqdq $0x00, (64 * \j)(%r11), %zmm19, %zmm20
        vpshufd $0x4e, %zmm19, %zmm21
        vpternlogq $0x96, %zmm20, %zmm26, %zmm16
        vpclmulqdq $0x11, (64 * \j)(%r11), %zmm19, %zmm20
        vpxorq  %zmm19, %zmm21, %zmm21
        vpternlogq $0x96, %zmm20, %zmm27, %zmm17
        vpclmulqdq $0x00, (2048 + 64 * \j)(%r11), %zmm21, %zmm20
        vpternlogq $0x96, %zmm20, %zmm28, %zmm18
        .endif
.endm

/* The sums reduced into the state (xmm24, upper lanes zeroed): the Karatsuba middle term
 * corrected, then two Montgomery folds by 64 bits that take the middle term as they go
 * (lo into mid, mid into hi), in every lane at once; then the four lanes of the result
 * summed, halves by halves. */
.macro REDUCE
        vpternlogq $0x96, %zmm16, %zmm17, %zmm18
        vpclmulqdq $0x10, %zmm29, %zmm16, %zmm19
        vpshufd $0x4e, %zmm16, %zmm16
        vpternlogq $0x96, %zmm19, %zmm16, %zmm18
        vpclmulqdq $0x10, %zmm29, %zmm18, %zmm19
        vpshufd $0x4e, %zmm18, %zmm18
        vpternlogq $0x96, %zmm19, %zmm18, %zmm17
        vextracti64x4 $1, %zmm17, %ymm19
        vpxorq  %ymm19, %ymm17, %ymm19
        vextracti64x2 $1, %ymm19, %xmm20
        vpxorq  %xmm19, %xmm20, %xmm24
        ZERO_SUMS
.endm

.macro LOAD_STATE
        vmovdqa64 .Lbswap(%rip), %zmm23
        vmovdqu64 ST_CTR(%r9), %zmm25
        vmovdqu64 ST_S(%r9), %xmm24
        movl    ST_N(%r9), %r10d
        vbroadcasti32x4 .Lpoly(%rip), %zmm29
        ZERO_SUMS
.endm

.macro STORE_STATE
        vmovdqu64 %zmm25, ST_CTR(%r9)
        vmovdqu64 %xmm24, ST_S(%r9)
        movl    %r10d, ST_N(%r9)
.endm

/* Vector j of the iteration hashed: opening hashes its input, loaded once into zmm p
 * (8 + j) for the last round too (a second load would split across cache lines again where
 * the input is not 64-byte aligned); sealing hashes the ciphertext of the iteration before,
 * kept in zmm p. First, with @pend, the last iteration's output vector j, which waits in
 * zmm p, is stored. */
.macro HASH_VEC seal, j, p, pend=1
        .if \pend
        vmovdqu64 %zmm\p, (64 * \j - 512)(%rcx)
        .endif
        .if \seal
        HASHP   \j, %zmm\p
        .else
        vmovdqu64 (64 * \j)(%rdx), %zmm\p
        HASHP   \j, %zmm\p
        .endif
.endm

/* The last round's key XOR the input, for chain j, in zmm p (8 + j): the last round adds
 * it, so the input joins off the chain's path (opening: the input loaded for hashing;
 * sealing: zmm p is free once the last iteration's ciphertext is hashed). */
.macro LAST_KEY seal, j, p
        .if \seal
        vpxorq  (64 * \j)(%rdx), %zmm21, %zmm\p
        .else
        vpxorq  %zmm21, %zmm\p, %zmm\p
        .endif
.endm

/* Chain j's last round, which yields the output in zmm p: stored during the next iteration
 * (HASH_VEC) or after the loop (FLUSH), not here. */
.macro LAST_VEC seal, j, p
        vaesenclast %zmm\p, %zmm\j, %zmm\p
.endm
/* The last round's key, then LAST_KEY for all eight chains. */
.macro LAST_KEYS seal
        vmovdqu64 640(%rdi), %zmm21
        LAST_KEY \seal, 0, 8
        LAST_KEY \seal, 1, 9
        LAST_KEY \seal, 2, 10
        LAST_KEY \seal, 3, 11
        LAST_KEY \seal, 4, 12
        LAST_KEY \seal, 5, 13
        LAST_KEY \seal, 6, 14
        LAST_KEY \seal, 7, 15
.endm

/* The last round on all eight chains. */
.macro LAST_VECS seal
        LAST_VEC \seal, 0, 8
        LAST_VEC \seal, 1, 9
        LAST_VEC \seal, 2, 10
        LAST_VEC \seal, 3, 11
        LAST_VEC \seal, 4, 12
        LAST_VEC \seal, 5, 13
        LAST_VEC \seal, 6, 14
        LAST_VEC \seal, 7, 15
.endm

/* The last iteration's output stored (%rcx already past it). */
.macro FLUSH
        vmovdqu64 %zmm8, (-512)(%rcx)
        vmovdqu64 %zmm9, (-448)(%rcx)
        vmovdqu64 %zmm10, (-384)(%rcx)
        vmovdqu64 %zmm11, (-320)(%rcx)
        vmovdqu64 %zmm12, (-256)(%rcx)
        vmovdqu64 %zmm13, (-192)(%rcx)
        vmovdqu64 %zmm14, (-128)(%rcx)
        vmovdqu64 %zmm15, (-64)(%rcx)
.endm

/* One iteration of the loop, hashing with the set of powers at %r11: set t (powers + 512 t)
 * holds H^(128 - 32t)..H^(97 - 32t); sets 0-2 leave the sums unreduced, set 3 (H^32..H^1)
 * reduces. Then the next set, 3 wrapping to 0. @pend: the iteration before left its
 * output to store (all but opening's first). */
.macro BODY seal, pend=1
        COUNTERS
        ROUND   1
        HASH_VEC \seal, 0, 8, \pend
        ROUND   2
        HASH_VEC \seal, 1, 9, \pend
        ROUND   3
        HASH_VEC \seal, 2, 10, \pend
        ROUND   4
        HASH_VEC \seal, 3, 11, \pend
        ROUND   5
        HASH_VEC \seal, 4, 12, \pend
        ROUND   6
        HASH_VEC \seal, 5, 13, \pend
        ROUND   7
        HASH_VEC \seal, 6, 14, \pend
        HASH_VEC \seal, 7, 15, \pend
        leaq    1536(%rsi), %rax
        cmpq    %rax, %r11
        jne     6f
        REDUCE
6:
        ROUND   8
        LAST_KEYS \seal
        ROUND   9
        LAST_VECS \seal
        addq    $512, %rdx
        addq    $512, %rcx
        leaq    512(%r11), %r11
        leaq    2048(%rsi), %rax
        cmpq    %rax, %r11
        cmoveq  %rsi, %r11
.endm

/* One function: the loop over @iters iterations, the state loaded before and stored after. */
.macro WIDE_FUNCTION name, seal
        .globl  \name
        .hidden \name
        .type   \name, @function
        .balign 64
\name:
        .cfi_startproc
        endbr64
        testq   %r8, %r8
        jz      9f
        LOAD_STATE
        .if \seal
        /* The first iteration has no ciphertext before it to hash. */
        COUNTERS
        .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9
        ROUND   \r
        .endr
        LAST_KEYS 1
        LAST_VECS 1
        addq    $512, %rdx
        addq    $512, %rcx
        decq    %r8
        jz      4f
        .endif
        /* Iterations take the power sets 0, 1, 2, 3 in turn, so that every fourth one
         * reduces, counted from the last hashed iteration (set 3): opening hashes @iters
         * iterations in the loop, sealing all but the first in the loop and the last one
         * after it. The loop starts at the set that makes the count come out so: set
         * 3 - (hashed iterations - 1) mod 4. */
        movq    %r8, %rax
        .if !\seal
        decq    %rax
        .endif
        notl    %eax
        andl    $3, %eax
        shll    $9, %eax
        leaq    (%rsi,%rax), %r11
        .if !\seal
        /* Opening's first iteration: no output before it to store. */
        BODY    0, 0
        decq    %r8
        jz      8f
        .endif
        .balign 64
30:
        BODY    \seal
        decq    %r8
        jnz     30b
8:
        .if \seal
4:
        FLUSH
        /* The last iteration's ciphertext, hashed here with set 3 (where the loop's pointer
         * already stands, unless the loop never ran) rather than by the caller: no hand-over
         * through memory. */
        leaq    1536(%rsi), %r11
        HASHP   0, %zmm8
        HASHP   1, %zmm9
        HASHP   2, %zmm10
        HASHP   3, %zmm11
        HASHP   4, %zmm12
        HASHP   5, %zmm13
        HASHP   6, %zmm14
        HASHP   7, %zmm15
        REDUCE
        .else
        FLUSH
        .endif
        STORE_STATE
        vzeroupper
9:
        ret
        .cfi_endproc
        .size   \name, .-\name
.endm

        WIDE_FUNCTION pfi_gcm_vaes512_wide_open, 0
        WIDE_FUNCTION pfi_gcm_vaes512_wide_seal, 1

#endif

#if defined(__ELF__)
        .section .note.GNU-stack, "", @progbits
#endif
