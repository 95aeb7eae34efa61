/*
 * CRC-32C (Castagnoli) for record batch v2, as a Node-API addon.
 *
 * Two x86-64 paths, chosen once at load from the CPU's features:
 *  - "vpclmulqdq": carry-less multiplication folding on 512-bit registers (AVX-512 + VPCLMULQDQ).
 *    Four accumulators of 64 bytes fold 256 bytes per iteration; the result is reduced to 128 bits
 *    by folding and to 32 bits with the SSE4.2 crc32 instruction.
 *  - "sse4.2": the crc32 instruction, 8 bytes at a time.
 *
 * Folding, in the bit-reflected domain the CRC uses (bit 0 of byte 0 is the highest power of x):
 * a 128-bit block R = H·x^64 + L (H is the low quadword in memory) is moved F bits further on by
 * R·x^F ≡ H·(x^(F+64) mod P) + L·(x^F mod P). A reflected 64×64 carry-less product comes out
 * multiplied by x, so the constants are x^(F+63) mod P for H and x^(F-1) mod P for L, each
 * reflected into a 64-bit word. They are computed at load, not tabulated.
 */
#include <immintrin.h>
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define CASTAGNOLI 0x1EDC6F41u /* x^32 implicit, normal (not reflected) form */

typedef struct {
  uint64_t forH; /* multiplies the low quadword */
  uint64_t forL; /* multiplies the high quadword */
} FoldConstants;

static FoldConstants fold2048, fold512, fold384, fold256, fold128;
static int useVpclmulqdq;

/* x^n mod P, normal form (bit d is the coefficient of x^d). */
static uint32_t xPowMod(unsigned n) {
  uint32_t r = 1;
  for (unsigned i = 0; i < n; i++) r = (r & 0x80000000u) ? (r << 1) ^ CASTAGNOLI : r << 1;
  return r;
}

/* A degree < 32 polynomial as a reflected 64-bit word: x^d at bit 63 - d. */
static uint64_t reflect64(uint32_t poly) {
  uint64_t v = 0;
  for (unsigned d = 0; d < 32; d++)
    if (poly & (1u << d)) v |= 1ull << (63 - d);
  return v;
}

static FoldConstants foldBy(unsigned bits) {
  FoldConstants k = {reflect64(xPowMod(bits + 63)), reflect64(xPowMod(bits - 1))};
  return k;
}

__attribute__((target("sse4.2"))) static uint32_t crcSse42(uint32_t s, const uint8_t *p, size_t n) {
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    s = (uint32_t)_mm_crc32_u64(s, v);
    p += 8;
    n -= 8;
  }
  while (n-- > 0) s = _mm_crc32_u8(s, *p++);
  return s;
}

#define VPCLMUL_TARGET "avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2"

__attribute__((target(VPCLMUL_TARGET))) static inline __m512i fold512x(__m512i x, __m512i k, __m512i next) {
  __m512i h = _mm512_clmulepi64_epi128(x, k, 0x00);
  __m512i l = _mm512_clmulepi64_epi128(x, k, 0x11);
  return _mm512_ternarylogic_epi64(h, l, next, 0x96); /* h ^ l ^ next */
}

__attribute__((target(VPCLMUL_TARGET))) static inline __m128i fold128x(__m128i x, FoldConstants c) {
  __m128i k = _mm_set_epi64x((long long)c.forL, (long long)c.forH);
  return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}

__attribute__((target(VPCLMUL_TARGET))) static inline __m512i broadcast(FoldConstants c) {
  return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)c.forL, (long long)c.forH));
}

__attribute__((target(VPCLMUL_TARGET))) static uint32_t crcVpclmulqdq(uint32_t s, const uint8_t *p, size_t n) {
  if (n < 512) return crcSse42(s, p, n);
  __m512i x0 = _mm512_loadu_si512((const void *)p);
  __m512i x1 = _mm512_loadu_si512((const void *)(p + 64));
  __m512i x2 = _mm512_loadu_si512((const void *)(p + 128));
  __m512i x3 = _mm512_loadu_si512((const void *)(p + 192));
  /* The running CRC enters as an XOR into the first 32 bits of data. */
  x0 = _mm512_xor_si512(x0, _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)s)));
  p += 256;
  n -= 256;
  const __m512i k2048 = broadcast(fold2048);
  while (n >= 256) {
    x0 = fold512x(x0, k2048, _mm512_loadu_si512((const void *)p));
    x1 = fold512x(x1, k2048, _mm512_loadu_si512((const void *)(p + 64)));
    x2 = fold512x(x2, k2048, _mm512_loadu_si512((const void *)(p + 128)));
    x3 = fold512x(x3, k2048, _mm512_loadu_si512((const void *)(p + 192)));
    p += 256;
    n -= 256;
  }
  const __m512i k512 = broadcast(fold512);
  x0 = fold512x(x0, k512, x1);
  x0 = fold512x(x0, k512, x2);
  x0 = fold512x(x0, k512, x3);
  __m128i r = _mm_xor_si128(fold128x(_mm512_extracti32x4_epi32(x0, 0), fold384),
                            fold128x(_mm512_extracti32x4_epi32(x0, 1), fold256));
  r = _mm_xor_si128(r, fold128x(_mm512_extracti32x4_epi32(x0, 2), fold128));
  r = _mm_xor_si128(r, _mm512_extracti32x4_epi32(x0, 3));
  while (n >= 16) {
    r = _mm_xor_si128(fold128x(r, fold128), _mm_loadu_si128((const __m128i *)p));
    p += 16;
    n -= 16;
  }
  /* r ≡ everything so far (mod P): its CRC from a zero register is the running CRC. */
  uint32_t t = (uint32_t)_mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(r));
  t = (uint32_t)_mm_crc32_u64(t, (uint64_t)_mm_extract_epi64(r, 1));
  return crcSse42(t, p, n);
}

static uint32_t crc32cUpdate(uint32_t crc, const uint8_t *p, size_t n) {
  uint32_t s = ~crc;
  s = useVpclmulqdq ? crcVpclmulqdq(s, p, n) : crcSse42(s, p, n);
  return ~s;
}

static napi_value fail(napi_env env, const char *code, const char *msg) {
  napi_throw_range_error(env, code, msg);
  return NULL;
}

/* crc32c(bytes: Uint8Array, start: number, end: number, initial?: number): number */
static napi_value crc32cCall(napi_env env, napi_callback_info info, int fast) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3)
    return fail(env, "ERR_INVALID_ARG", "crc32c(bytes, start, end[, initial])");
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return fail(env, "ERR_INVALID_ARG_TYPE", "crc32c: bytes must be a Buffer or Uint8Array");
  int64_t start, end;
  if (napi_get_value_int64(env, argv[1], &start) != napi_ok ||
      napi_get_value_int64(env, argv[2], &end) != napi_ok || start < 0 || end < start ||
      (uint64_t)end > length)
    return fail(env, "ERR_OUT_OF_RANGE", "crc32c: need 0 <= start <= end <= bytes.length");
  uint32_t initial = 0;
  if (argc > 3 && napi_get_value_uint32(env, argv[3], &initial) != napi_ok)
    return fail(env, "ERR_INVALID_ARG_TYPE", "crc32c: initial must be a number");
  const uint8_t *p = (const uint8_t *)data + start;
  size_t n = (size_t)(end - start);
  uint32_t crc = fast ? crc32cUpdate(initial, p, n) : ~crcSse42(~initial, p, n);
  napi_value out;
  napi_create_uint32(env, crc, &out);
  return out;
}

static napi_value Crc32c(napi_env env, napi_callback_info info) { return crc32cCall(env, info, 1); }

/* The SSE4.2 path whatever the CPU has, so that tests check both. */
static napi_value Crc32cSse42(napi_env env, napi_callback_info info) { return crc32cCall(env, info, 0); }

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  useVpclmulqdq = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                  __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("pclmul");
  if (!__builtin_cpu_supports("sse4.2")) {
    napi_throw_error(env, "ERR_CPU", "crc32c addon: this CPU has no SSE4.2");
    return NULL;
  }
  fold2048 = foldBy(2048);
  fold512 = foldBy(512);
  fold384 = foldBy(384);
  fold256 = foldBy(256);
  fold128 = foldBy(128);
  napi_value fn, impl;
  napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, Crc32c, NULL, &fn);
  napi_set_named_property(env, exports, "crc32c", fn);
  napi_create_function(env, "crc32cSse42", NAPI_AUTO_LENGTH, Crc32cSse42, NULL, &fn);
  napi_set_named_property(env, exports, "crc32cSse42", fn);
  napi_create_string_utf8(env, useVpclmulqdq ? "vpclmulqdq" : "sse4.2", NAPI_AUTO_LENGTH, &impl);
  napi_set_named_property(env, exports, "implementation", impl);
  return exports;
}
