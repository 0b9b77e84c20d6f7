using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// ONNX Runtime's float output stage (OrtRequant.Requantize) on 8 lanes: f = float32(acc) · scale (vcvtdq2ps and
    /// vmulps round like the reference's float32 casts), clamped to [actMin − zp, actMax − zp] (vmaxps / vminps;
    /// no NaN can arise: acc is finite and scale positive and finite, ±∞ clamps like the reference), rounded half
    /// to even by vcvtps2dq under the default MXCSR rounding mode, + zp. The block constants hold the bias at
    /// ints [0, 8) and the scales (float bits) at [8, 16).
    /// </summary>
    internal static unsafe class OrtOutput
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<int> Requantize(Vector256<int> acc, Vector256<float> scale, in Epilogue e)
        {
            var f = Avx.Multiply(Avx.ConvertToVector256Single(acc), scale);
            f = Avx.Min(Avx.Max(f, e.LoF), e.HiF);
            return Avx2.Add(Avx.ConvertToVector256Int32(f), e.Zp);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreU8(byte* dst, Vector256<int> v, int n)
        {
            var s16 = Sse2.PackSignedSaturate(v.GetLower(), v.GetUpper());
            long l = Sse2.PackUnsignedSaturate(s16, s16).AsInt64().ToScalar();
            if (n >= 8) { *(long*)dst = l; return; }
            for (int i = 0; i < n; i++) { dst[i] = (byte)l; l >>= 8; }
        }
    }

    /// <summary>uint8 output (values already within [actMin, actMax] ⊂ [0, 255]).</summary>
    internal unsafe struct OrtU8Epilogue : ITileEpilogue
    {
        public static void Store(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e)
        {
            for (int b = 0; b < nb; b++)
            {
                var sc = Vector256.Load((float*)(q + b * X86Requant.BlockInts256 + 8));
                int n = ocValid - b * 8;
                if (n <= 0) break;
                for (int r = 0; r < rows; r++)
                    OrtOutput.StoreU8((byte*)c + r * cStride + b * 8, OrtOutput.Requantize(Vector256.Load(acc + (r * nb + b) * 8), sc, in e), n);
            }
        }
    }

    /// <summary>int8 output (values already within [actMin, actMax] ⊂ [−128, 127]).</summary>
    internal unsafe struct OrtS8Epilogue : ITileEpilogue
    {
        public static void Store(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e)
        {
            for (int b = 0; b < nb; b++)
            {
                var sc = Vector256.Load((float*)(q + b * X86Requant.BlockInts256 + 8));
                int n = ocValid - b * 8;
                if (n <= 0) break;
                for (int r = 0; r < rows; r++)
                    X86Requant.Store8(c + r * cStride + b * 8, OrtOutput.Requantize(Vector256.Load(acc + (r * nb + b) * 8), sc, in e), n);
            }
        }
    }

    /// <summary>Raw int32 output (ConvInteger / MatMulInteger); cStride is in bytes.</summary>
    internal unsafe struct OrtI32Epilogue : ITileEpilogue
    {
        public static void Store(int* acc, int nb, int rows, int* q, sbyte* c, nint cStride, int ocValid, in Epilogue e)
        {
            for (int b = 0; b < nb; b++)
            {
                int n = Math.Min(8, ocValid - b * 8);
                if (n <= 0) break;
                for (int r = 0; r < rows; r++)
                {
                    int* d = (int*)(c + r * cStride) + b * 8;
                    int* s = acc + (r * nb + b) * 8;
                    if (n == 8) Vector256.Load(s).Store(d);
                    else for (int i = 0; i < n; i++) d[i] = s[i];
                }
            }
        }
    }

    /// <summary>
    /// QLINEAR_CONV (any window / stride / dilation / padding, groups) and QLINEAR_MATMUL (constant B; Gemm / FC with
    /// M = 1, batched with broadcasting) as GEMMs on the x86 micro-kernels (<see cref="X86GemmTiles"/>), bit-exact
    /// with the reference kernels (kernels/reference/QLinearConv.cs, QLinearMatMul.cs).
    ///
    /// A "problem" is one GEMM: a convolution group (rows = output pixels, K = kh·kw·C_in/group in the filter's
    /// [ky][kx][ic] order, columns = that group's output channels) or one matmul batch (rows = M, columns = N).
    ///
    /// Exact accumulation (pair_saturation = false), AVX2: activations are packed as int16 x − x_zp (padding taps 0,
    /// which is what the reference's skipped taps contribute) and weights as int16 w − w_zp[o]; both are within
    /// [−255, 255], so vpmaddwd's pair sums (≤ 2·255² &lt; 2^31) are exact and never saturate, and the int32
    /// accumulation from the bias wraps exactly like the reference's <c>unchecked</c> adds (any order).
    ///
    /// pair_saturation = true (int8 weights, zero point 0; ONNX Runtime's u8s8 x86 GEMM): activations are packed as
    /// u8 = x + 128·signed (padding taps x_zp + 128·signed, as the reference), weights as s8 in the [k/4][8][4]
    /// layout, and vpmaddubsw forms exactly the reference's int16-saturated sums of the pairs (2j, 2j+1) along K (K
    /// is padded with zero weights, so an odd K pairs the last tap with 0); vpmaddwd by 1 adds two pair sums in
    /// int32 (exact), and the bias is folded once to bias − zp_u·Σw (wrapping, as the reference).
    ///
    /// Output: the float requantization of <see cref="OrtOutput"/> to uint8/int8 or the raw int32 accumulator.
    /// Threads take contiguous ranges of (problem, chunk of rows, channel group) items; nothing is allocated per Eval.
    /// </summary>
    internal sealed unsafe class X86QLinearKernel : OpKernel, IParallelTask
    {
        internal static long ParallelMinMacs = 32768;

        private readonly bool _sat, _conv, _signed;
        private readonly QLinearConvParams _cp;
        private readonly QLinearMatMulParams _mp;
        private readonly TensorInfo _input, _output;
        private readonly int _k, _kp, _ksteps, _m, _cols, _outRowElems, _elem, _mc, _nChunks, _nGroups, _threads, _problems;
        private readonly int[] _gFirst, _gNb, _gMr, _wIndex;
        private readonly nint _wStride, _wPerProblem;     // elements per weight block, per packed weight matrix
        private readonly void* _w;
        private readonly int* _q;
        private readonly int _qPerProblem;                 // ints of constants per packed weight matrix
        private readonly byte* _scratch;
        private readonly nint _scratchPer;
        private readonly short _zp16;
        private readonly byte _padU8;
        private readonly Epilogue _e;
        private readonly WorkerPool _pool;
        private readonly long _macs;
        private readonly object[] _keep;
        private byte[] _in, _out;

        private X86QLinearKernel(QLinearConvParams cp, QLinearMatMulParams mp, KernelContext ctx, byte[] file)
        {
            _pool = ctx.Pool; _threads = ctx.Pool != null ? ctx.Pool.Count : 1;
            _cp = cp; _mp = mp; _conv = cp != null;
            _sat = _conv ? cp.PairSaturation : mp.PairSaturation;
            int outKind = _conv ? cp.OutKind : mp.OutKind;
            _elem = outKind == 0 ? 4 : 1;
            int[] wZp;
            float[] scale;
            int inZp;
            bool inSigned, wSigned;
            byte[] biasData = null;
            int biasOffset = 0;
            TensorInfo bias;
            if (_conv)
            {
                _input = cp.Input; _output = cp.Output; bias = cp.Bias;
                int ipg = cp.InC / cp.Group;
                _k = cp.KernelH * cp.KernelW * ipg;
                _cols = cp.OutC / cp.Group;
                _m = cp.Batches * cp.OutH * cp.OutW;
                _problems = cp.Group;
                _outRowElems = cp.OutC;
                wZp = cp.WeightZeroPoint; scale = cp.Scale; inZp = cp.InputZeroPoint; inSigned = cp.InSigned; wSigned = cp.WSigned;
                _e = new Epilogue(cp.OutputZeroPoint, cp.ActMin, cp.ActMax);
            }
            else
            {
                _input = mp.A; _output = mp.Output; bias = mp.Bias;
                _k = mp.K; _cols = mp.N; _m = mp.M; _problems = mp.Batches; _outRowElems = mp.N;
                wZp = mp.WeightZeroPoint; scale = mp.Scale; inZp = mp.InputZeroPoint; inSigned = mp.ASigned; wSigned = mp.BSigned;
                _e = new Epilogue(mp.OutputZeroPoint, mp.ActMin, mp.ActMax);
            }
            if (bias != null) { biasData = bias.IsConstant ? file : null; biasOffset = bias.DataOffset; }
            _kp = (_k + 3) & ~3;
            _ksteps = _sat ? _kp / 4 : _kp / 2;
            _macs = (long)_m * _k * _cols * _problems;
            int blocks = (_cols + 7) / 8;

            bool singleRow = _m < 4;
            int[] widths = singleRow ? new[] { 4, 2, 1 } : new[] { 2, 1 };
            var gf = new List<int>(); var gn = new List<int>(); var gm = new List<int>();
            for (int b = 0; b < blocks;)
            {
                int nb = 1;
                foreach (int wdt in widths) if (wdt <= blocks - b) { nb = wdt; break; }
                gf.Add(b); gn.Add(nb); gm.Add(singleRow ? 1 : (nb == 2 ? 4 : 8));
                b += nb;
            }
            _gFirst = gf.ToArray(); _gNb = gn.ToArray(); _gMr = gm.ToArray(); _nGroups = _gFirst.Length;

            int aElem = _sat ? 1 : 2;
            int mc = 49152 / Math.Max(1, _kp * aElem);
            mc = Math.Min(Math.Max(8, mc / 8 * 8), 336);
            if (mc > _m) mc = _m;
            _mc = mc;
            _nChunks = (_m + mc - 1) / mc;

            // Packed weight matrices: one per group (conv) or per distinct B matrix (matmul).
            _wIndex = new int[_problems];
            var wBase = new List<int>();   // element offset of each packed matrix's source in the file
            if (_conv)
                for (int g = 0; g < _problems; g++) { _wIndex[g] = g; wBase.Add(cp.Filter.DataOffset + g * _cols * _k); }
            else
            {
                var seen = new Dictionary<int, int>();
                for (int bi = 0; bi < _problems; bi++)
                {
                    int off = mp.BBatch[bi];
                    if (!seen.TryGetValue(off, out int idx)) { idx = wBase.Count; seen[off] = idx; wBase.Add(mp.B.DataOffset + off); }
                    _wIndex[bi] = idx;
                }
            }
            int mats = wBase.Count;
            _wStride = (nint)_ksteps * (_sat ? 32 : 16);
            _wPerProblem = blocks * _wStride;
            var keep = new List<object>();
            _qPerProblem = blocks * X86Requant.BlockInts256;
            var qArr = GC.AllocateArray<int>(mats * _qPerProblem + 16, pinned: true);
            keep.Add(qArr);
            int* q = (int*)Align((byte*)Unsafe.AsPointer(ref qArr[0]));
            _q = q;
            ctx.PackedBytes += 4L * qArr.Length;
            if (_sat)
            {
                var w = GC.AllocateArray<sbyte>(mats * (int)_wPerProblem + 64, pinned: true);
                keep.Add(w);
                sbyte* wp = (sbyte*)Align((byte*)Unsafe.AsPointer(ref w[0]));
                _w = wp;
                ctx.PackedBytes += w.Length;
            }
            else
            {
                var w = GC.AllocateArray<short>(mats * (int)_wPerProblem + 32, pinned: true);
                keep.Add(w);
                _w = Align((byte*)Unsafe.AsPointer(ref w[0]));
                ctx.PackedBytes += 2L * w.Length;
            }
            int zpU = inZp + (inSigned ? 128 : 0);
            for (int mi = 0; mi < mats; mi++)
            {
                int src = wBase[mi];
                int chBase = _conv ? mi * _cols : 0;
                for (int col = 0; col < _cols; col++)
                {
                    int ch = chBase + col;
                    int blk = col >> 3, j = col & 7;
                    long sum = 0;
                    for (int k = 0; k < _k; k++)
                    {
                        int pos = _conv ? src + col * _k + k : src + k * _cols + col;
                        int v = (wSigned ? (int)(sbyte)file[pos] : file[pos]);
                        if (_sat)
                        {
                            sum += v;
                            ((sbyte*)_w)[mi * _wPerProblem + blk * _wStride + (k >> 2) * 32 + j * 4 + (k & 3)] = (sbyte)v;
                        }
                        else
                            ((short*)_w)[mi * _wPerProblem + blk * _wStride + (k >> 1) * 16 + j * 2 + (k & 1)] = (short)(v - wZp[ch]);
                    }
                    int* qb = q + mi * _qPerProblem + blk * X86Requant.BlockInts256;
                    int bv = biasData == null ? 0 : BitConverterLE(biasData, biasOffset + 4 * ch);
                    if (_sat) bv = unchecked(bv - (int)((long)zpU * sum));
                    qb[j] = bv;
                    if (scale != null) ((float*)qb)[8 + j] = scale[ch];
                }
            }
            {
                _scratchPer = ((nint)_mc * _kp * aElem + 63) & ~(nint)63;
                var s = GC.AllocateArray<byte>((int)(_scratchPer * _threads) + 64, pinned: true);
                keep.Add(s);
                _scratch = Align((byte*)Unsafe.AsPointer(ref s[0]));
                ctx.PackedBytes += s.Length;
            }
            _keep = keep.ToArray();
            _zp16 = (short)inZp;
            _signed = inSigned;
            _padU8 = (byte)zpU;
        }

        private static int BitConverterLE(byte[] b, int o) => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);

        private static byte* Align(byte* p) => (byte*)(((nint)p + 63) & ~(nint)63);

        private static bool Supported => Avx2.IsSupported;

        public static OpKernel TryCreateConv(OperatorDef def, OpKernel reference, KernelContext ctx, bool pairSaturation)
        {
            if (!Supported) return null;
            var p = (reference as QLinearConvOp)?.Params;
            if (p == null || p.PairSaturation != pairSaturation || p.Filter == null || !p.Filter.IsConstant) return null;
            if (p.Bias != null && !p.Bias.IsConstant) return null;
            if (p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0 || p.OutC <= 0 || p.InC <= 0) return null;
            int ipg = p.InC / p.Group, opg = p.OutC / p.Group;
            if (ipg == 1 && opg == 1 && p.Group > 1) return null;          // depthwise: the depthwise kernel
            if (p.Group > 1 && opg < 8) return null;                        // narrow groups waste the 8-lane blocks
            long k = (long)p.KernelH * p.KernelW * ipg;
            if (k > (1 << 20)) return null;
            if ((long)p.Filter.DataOffset + k * p.OutC > def.Owner.Data.Length) return null;
            return new X86QLinearKernel(p, null, ctx, def.Owner.Data);
        }

        public static OpKernel TryCreateMatMul(OperatorDef def, OpKernel reference, KernelContext ctx, bool pairSaturation)
        {
            if (!Supported) return null;
            var p = (reference as QLinearMatMulOp)?.Params;
            if (p == null || p.PairSaturation != pairSaturation || p.B == null || !p.B.IsConstant) return null;
            if (p.Bias != null && !p.Bias.IsConstant) return null;
            if (p.M <= 0 || p.K <= 0 || p.N <= 0 || p.Batches <= 0 || p.K > (1 << 20)) return null;
            return new X86QLinearKernel(null, p, ctx, def.Owner.Data);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            _in = Data(_input, arena, model);
            _out = arena;
            if (_pool != null && _macs >= ParallelMinMacs && _problems * _nChunks * _nGroups > 1) _pool.Run(this);
            else Execute(0, 1);
            _in = null;
            _out = null;
        }

        public void Execute(int participant, int participants)
        {
            int perProblem = _nChunks * _nGroups;
            int items = _problems * perProblem;
            int start = (int)((long)items * participant / participants);
            int end = (int)((long)items * (participant + 1) / participants);
            if (start >= end) return;
            byte* buf = _scratch + participant * _scratchPer;
            int kind = _conv ? _cp.OutKind : _mp.OutKind;
            fixed (byte* inp = _in, outp = _out)
            {
                int packed = -1;
                byte* outBase = outp + _output.DataOffset;
                nint cStride = (nint)_outRowElems * _elem;
                for (int item = start; item < end; item++)
                {
                    int pr = item / perProblem, rest = item - pr * perProblem;
                    int chunk = rest / _nGroups, g = rest - chunk * _nGroups;
                    int r0 = chunk * _mc, r1 = Math.Min(_m, r0 + _mc);
                    int pc = pr * _nChunks + chunk;
                    if (pc != packed)
                    {
                        Pack(inp + _input.DataOffset, pr, r0, r1, buf);
                        packed = pc;
                    }
                    int first = _gFirst[g], nb = _gNb[g], mr = _gMr[g];
                    int ocValid = Math.Min(_cols - first * 8, nb * 8);
                    int wi = _wIndex[pr];
                    int* q = _q + wi * _qPerProblem + first * X86Requant.BlockInts256;
                    // Output of row r, column col of this problem.
                    nint colOff = _conv ? (nint)pr * _cols : 0;
                    byte* pBase = _conv ? outBase : outBase + (nint)pr * _m * _outRowElems * _elem;
                    for (int r = r0; r < r1; r += mr)
                    {
                        int rows = Math.Min(mr, r1 - r);
                        sbyte* c = (sbyte*)(pBase + ((nint)r * _outRowElems + colOff + first * 8) * _elem);
                        if (_sat)
                        {
                            byte* a = buf + (nint)(r - r0) * _kp;
                            sbyte* w = (sbyte*)_w + wi * _wPerProblem + first * _wStride;
                            if (kind == 1) X86GemmTiles.RunSat<OrtU8Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                            else if (kind == 2) X86GemmTiles.RunSat<OrtS8Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                            else X86GemmTiles.RunSat<OrtI32Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                        }
                        else
                        {
                            short* a = (short*)buf + (nint)(r - r0) * _kp;
                            short* w = (short*)_w + wi * _wPerProblem + first * _wStride;
                            if (kind == 1) X86GemmTiles.RunAvx2<OrtU8Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                            else if (kind == 2) X86GemmTiles.RunAvx2<OrtS8Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                            else X86GemmTiles.RunAvx2<OrtI32Epilogue>(mr, nb, a, _kp, rows, w, _wStride, _ksteps, q, c, cStride, ocValid, in _e);
                        }
                    }
                }
            }
        }

        /// <summary>Packs rows [r0, r1) of problem pr's activation matrix (im2col for a convolution group).</summary>
        private void Pack(byte* input, int pr, int r0, int r1, byte* buf)
        {
            if (!_conv)
            {
                byte* a = input + _mp.ABatch[pr];
                for (int r = r0; r < r1; r++) Segment(buf, r - r0, 0, a + (nint)r * _k, _k);
                return;
            }
            QLinearConvParams p = _cp;
            int ipg = p.InC / p.Group, inC = p.InC, kw = p.KernelW, kh = p.KernelH, inH = p.InH, inW = p.InW;
            int ohw = p.OutH * p.OutW;
            nint rowStride = (nint)inW * inC, imgStride = rowStride * inH;
            byte* chBase = input + pr * ipg;
            bool wholeRow = ipg == inC && p.DilationW == 1;
            int b = 0, oy = 0, ox = 0;
            for (int r = r0; r < r1; r++)
            {
                if (r == r0) { b = r / ohw; int pix = r - b * ohw; oy = pix / p.OutW; ox = pix - oy * p.OutW; }
                else if (++ox == p.OutW) { ox = 0; if (++oy == p.OutH) { oy = 0; b++; } }
                byte* img = chBase + b * imgStride;
                int iy0 = oy * p.StrideH - p.PadTop, ix0 = ox * p.StrideW - p.PadLeft;
                bool xInside = wholeRow && ix0 >= 0 && ix0 + kw <= inW;
                int k = 0;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = iy0 + ky * p.DilationH;
                    if ((uint)iy >= (uint)inH) { Pad(buf, r - r0, k, kw * ipg); k += kw * ipg; continue; }
                    byte* row = img + iy * rowStride;
                    if (xInside) { Segment(buf, r - r0, k, row + (nint)ix0 * inC, kw * ipg); k += kw * ipg; continue; }
                    for (int kx = 0; kx < kw; kx++, k += ipg)
                    {
                        int ix = ix0 + kx * p.DilationW;
                        if ((uint)ix < (uint)inW) Segment(buf, r - r0, k, row + (nint)ix * inC, ipg);
                        else Pad(buf, r - r0, k, ipg);
                    }
                }
            }
        }

        /// <summary>Writes n activation bytes at column k of packed row `row`.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Segment(byte* buf, int row, int k, byte* s, int n)
        {
            bool signed = _signed;
            if (_sat)
            {
                byte* d = buf + (nint)row * _kp + k;
                if (signed) CopyXor(d, s, n);
                else if (n >= 16) Buffer.MemoryCopy(s, d, n, n);
                else
                {
                    int j = 0;
                    if (n >= 8) { *(ulong*)d = *(ulong*)s; j = 8; }
                    for (; j < n; j++) d[j] = s[j];
                }
                return;
            }
            short* d16 = (short*)buf + (nint)row * _kp + k;
            int i = 0;
            var zp = Vector256.Create(_zp16);
            if (signed)
            {
                for (; i + 16 <= n; i += 16) Avx2.Subtract(Avx2.ConvertToVector256Int16((sbyte*)s + i), zp).Store(d16 + i);
                for (; i < n; i++) d16[i] = (short)((sbyte)s[i] - _zp16);
            }
            else
            {
                for (; i + 16 <= n; i += 16) Avx2.Subtract(Avx2.ConvertToVector256Int16(s + i), zp).Store(d16 + i);
                for (; i < n; i++) d16[i] = (short)(s[i] - _zp16);
            }
        }

        /// <summary>Padding taps: x_zp (int16 0 after the subtraction; u8 zp_u for the pair-saturating path).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Pad(byte* buf, int row, int k, int n)
        {
            if (_sat) new Span<byte>(buf + (nint)row * _kp + k, n).Fill(_padU8);
            else new Span<short>((short*)buf + (nint)row * _kp + k, n).Clear();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void CopyXor(byte* d, byte* s, int n)
        {
            int i = 0;
            var m = Vector256.Create((byte)0x80);
            for (; i + 32 <= n; i += 32) Avx2.Xor(Avx.LoadVector256(s + i), m).Store(d + i);
            if (i + 16 <= n) { Sse2.Xor(Sse2.LoadVector128(s + i), Vector128.Create((byte)0x80)).Store(d + i); i += 16; }
            if (i + 8 <= n) { *(ulong*)(d + i) = *(ulong*)(s + i) ^ 0x8080808080808080UL; i += 8; }
            for (; i < n; i++) d[i] = (byte)(s[i] ^ 0x80);
        }
    }
}
