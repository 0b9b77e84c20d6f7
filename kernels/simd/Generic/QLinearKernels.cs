using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        private static void RegisterQLinear<TIsa>(List<KernelEntry> list, KernelSetKind set, string sfx) where TIsa : IInt8Isa
        {
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearconv-gemm-4x8-fp32-" + sfx, Op = OpType.QLinearConv, Set = set,
                TryCreate = (def, reference, ctx) => QLinearGemmKernel<TIsa>.TryCreateConv(def, reference, ctx),
            });
            list.Add(new KernelEntry
            {
                Name = "qx8-qlinearmatmul-gemm-4x8-fp32-" + sfx, Op = OpType.QLinearMatMul, Set = set,
                TryCreate = (def, reference, ctx) => QLinearGemmKernel<TIsa>.TryCreateMatMul(def, reference, ctx),
            });
        }
    }

    /// <summary>
    /// QLINEAR_CONV (any window / stride / dilation / padding, any groups incl. depthwise) and QLINEAR_MATMUL (constant
    /// B, batched) over the ISA seam, bit-exact with kernels/reference/QLinearConv.cs and QLinearMatMul.cs.
    ///
    /// pair_saturation (int8 weights, zero point 0): activations enter as u = x + 128·signed (padding zp_u =
    /// x_zp + 128·signed), K is padded to even with zero weights, and each pair (2j, 2j+1) is formed exactly in int32
    /// by two SMLALs, saturated to int16 by SQXTN — the reference's sat16 — and added in int32 (SMLAL by 1); the bias
    /// is folded to bias − zp_u·Σw (wrapping), as the reference subtracts zp_u·Σw.
    ///
    /// One GEMM per convolution group / matmul batch: activations packed as int16 x − x_zp (padding taps 0, what
    /// the reference's skipped taps contribute), 4 rows at a time; weights packed once at load as int16 w − w_zp[c],
    /// [block of 8 columns][K][8]. Both operands lie in [−255, 255], so SMLAL/SMLAL2 (16-bit, widening) form every
    /// product exactly and the int32 sums from the bias wrap like the reference's <c>unchecked</c> adds.
    /// Output: float32(acc) · scale, clamped to [act_min − zp, act_max − zp], rounded half to even
    /// (<c>Vector128.Round</c>, then an exact conversion), + zp; or the raw int32 accumulator.
    /// </summary>
    internal sealed unsafe class QLinearGemmKernel<TIsa> : OpKernel where TIsa : IInt8Isa
    {
        private const int MR = 4, NR = 8;
        private readonly QLinearConvParams _cp;
        private readonly QLinearMatMulParams _mp;
        private readonly bool _conv, _signed, _sat;
        private readonly TensorInfo _input, _output;
        private readonly int _k, _kp, _zpU, _m, _cols, _blocks, _problems, _outRowElems, _elem, _kind, _inZp, _outZp;
        private readonly float _lo, _hi;
        private readonly int[] _wIndex;
        private readonly short* _w;        // [matrix][block][K][8]
        private readonly int* _bias;       // [matrix][blocks·8]
        private readonly float* _scale;    // [matrix][blocks·8]
        private readonly short* _a;        // MR rows × K
        private readonly object[] _keep;
        private byte[] _in;

        private QLinearGemmKernel(QLinearConvParams cp, QLinearMatMulParams mp, KernelContext ctx, byte[] file)
        {
            _cp = cp; _mp = mp; _conv = cp != null;
            int[] wZp; float[] scale; bool wSigned; TensorInfo bias;
            if (_conv)
            {
                _input = cp.Input; _output = cp.Output; bias = cp.Bias;
                _k = cp.KernelH * cp.KernelW * (cp.InC / cp.Group); _cols = cp.OutC / cp.Group;
                _m = cp.Batches * cp.OutH * cp.OutW; _problems = cp.Group; _outRowElems = cp.OutC;
                wZp = cp.WeightZeroPoint; scale = cp.Scale; _signed = cp.InSigned; wSigned = cp.WSigned; _inZp = cp.InputZeroPoint;
                _kind = cp.OutKind; _outZp = cp.OutputZeroPoint; _lo = cp.ActMin - cp.OutputZeroPoint; _hi = cp.ActMax - cp.OutputZeroPoint;
            }
            else
            {
                _input = mp.A; _output = mp.Output; bias = mp.Bias;
                _k = mp.K; _cols = mp.N; _m = mp.M; _problems = mp.Batches; _outRowElems = mp.N;
                wZp = mp.WeightZeroPoint; scale = mp.Scale; _signed = mp.ASigned; wSigned = mp.BSigned; _inZp = mp.InputZeroPoint;
                _kind = mp.OutKind; _outZp = mp.OutputZeroPoint; _lo = mp.ActMin - mp.OutputZeroPoint; _hi = mp.ActMax - mp.OutputZeroPoint;
            }
            _elem = _kind == 0 ? 4 : 1;
            _sat = _conv ? cp.PairSaturation : mp.PairSaturation;
            _kp = _sat ? (_k + 1) & ~1 : _k;
            _zpU = _inZp + (_signed ? 128 : 0);
            _blocks = (_cols + NR - 1) / NR;
            _wIndex = new int[_problems];
            var wBase = new List<int>();
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
            int mats = wBase.Count, per = _blocks * NR;
            var w = GC.AllocateArray<short>(mats * per * _kp + 8, pinned: true);
            var q = GC.AllocateArray<int>(2 * mats * per + 8, pinned: true);
            var a = GC.AllocateArray<short>(MR * _kp + 8, pinned: true);
            _keep = new object[] { w, q, a };
            _w = (short*)Unsafe.AsPointer(ref w[0]);
            _bias = (int*)Unsafe.AsPointer(ref q[0]);
            _scale = (float*)(_bias + mats * per);
            _a = (short*)Unsafe.AsPointer(ref a[0]);
            ctx.PackedBytes += 2L * w.Length + 4L * q.Length + 2L * a.Length;
            for (int mi = 0; mi < mats; mi++)
            {
                int src = wBase[mi], chBase = _conv ? mi * _cols : 0;
                for (int col = 0; col < _cols; col++)
                {
                    int ch = chBase + col, blk = col / NR, j = col % NR;
                    long sum = 0;
                    for (int k = 0; k < _k; k++)
                    {
                        int pos = _conv ? src + col * _k + k : src + k * _cols + col;
                        int v = wSigned ? (sbyte)file[pos] : file[pos];
                        sum += v;
                        _w[(long)mi * per * _kp + ((long)blk * _kp + k) * NR + j] = (short)(v - wZp[ch]);
                    }
                    if (bias != null) { int o = bias.DataOffset + 4 * ch; _bias[mi * per + col] = file[o] | (file[o + 1] << 8) | (file[o + 2] << 16) | (file[o + 3] << 24); }
                    if (_sat) _bias[mi * per + col] = unchecked(_bias[mi * per + col] - (int)(_zpU * sum));
                    if (scale != null) _scale[mi * per + col] = scale[ch];
                }
            }
        }

        public static OpKernel TryCreateConv(OperatorDef def, OpKernel reference, KernelContext ctx)
        {
            if (!TIsa.IsSupported) return null;
            var p = (reference as QLinearConvOp)?.Params;
            if (p == null || p.Filter == null || !p.Filter.IsConstant) return null;
            if (p.Bias != null && !p.Bias.IsConstant) return null;
            if (p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0 || p.OutC <= 0 || p.InC <= 0) return null;
            long k = (long)p.KernelH * p.KernelW * (p.InC / p.Group);
            if (k > (1 << 20) || (long)p.Filter.DataOffset + k * p.OutC > def.Owner.Data.Length) return null;
            return new QLinearGemmKernel<TIsa>(p, null, ctx, def.Owner.Data);
        }

        public static OpKernel TryCreateMatMul(OperatorDef def, OpKernel reference, KernelContext ctx)
        {
            if (!TIsa.IsSupported) return null;
            var p = (reference as QLinearMatMulOp)?.Params;
            if (p == null || p.B == null || !p.B.IsConstant) return null;
            if (p.Bias != null && !p.Bias.IsConstant) return null;
            if (p.M <= 0 || p.K <= 0 || p.N <= 0 || p.Batches <= 0 || p.K > (1 << 20)) return null;
            return new QLinearGemmKernel<TIsa>(null, p, ctx, def.Owner.Data);
        }

        [SkipLocalsInit]
        public override void Eval(byte[] arena, byte[] model)
        {
            _in = Data(_input, arena, model);
            int per = _blocks * NR;
            int* tmp = stackalloc int[NR];
            var lo = Vector128.Create(_lo);
            var hi = Vector128.Create(_hi);
            var zp = Vector128.Create(_outZp);
            fixed (byte* ip = _in, op = arena)
            {
                byte* input = ip + _input.DataOffset;
                byte* outBase = op + _output.DataOffset;
                for (int pr = 0; pr < _problems; pr++)
                {
                    int mi = _wIndex[pr];
                    short* wm = _w + (long)mi * per * _kp;
                    byte* pBase = _conv ? outBase + (nint)pr * _cols * _elem : outBase + (nint)pr * _m * _outRowElems * _elem;
                    for (int r0 = 0; r0 < _m; r0 += MR)
                    {
                        int rows = Math.Min(MR, _m - r0);
                        for (int i = 0; i < MR; i++) PackRow(input, pr, r0 + Math.Min(i, rows - 1), _a + i * _kp);
                        for (int blk = 0; blk < _blocks; blk++)
                        {
                            int nValid = Math.Min(NR, _cols - blk * NR);
                            var b0 = Vector128.Load(_bias + mi * per + blk * NR);
                            var b1 = Vector128.Load(_bias + mi * per + blk * NR + 4);
                            Vector128<int> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
                            short* wp = wm + (long)blk * _kp * NR;
                            short* a0 = _a, a1 = _a + _kp, a2 = _a + 2 * _kp, a3 = _a + 3 * _kp;
                            if (_sat)
                            {
                                // ONNX Runtime's pairs: (u_2j·w_2j + u_2j+1·w_2j+1) saturated to int16 (SQXTN), then added in int32.
                                var ones = Vector128.Create((short)1);
                                for (int k = 0; k < _kp; k += 2, wp += 2 * NR)
                                {
                                    var w0 = Vector128.Load(wp);
                                    var w1 = Vector128.Load(wp + NR);
                                    Pair(ref c00, ref c01, a0 + k, w0, w1, ones);
                                    Pair(ref c10, ref c11, a1 + k, w0, w1, ones);
                                    Pair(ref c20, ref c21, a2 + k, w0, w1, ones);
                                    Pair(ref c30, ref c31, a3 + k, w0, w1, ones);
                                }
                            }
                            else
                            for (int k = 0; k < _k; k++, wp += NR)
                            {
                                var wv = Vector128.Load(wp);
                                var x = Vector128.Create(a0[k]);
                                c00 = TIsa.MultiplyWideningLowerAndAdd(c00, x, wv); c01 = TIsa.MultiplyWideningUpperAndAdd(c01, x, wv);
                                x = Vector128.Create(a1[k]);
                                c10 = TIsa.MultiplyWideningLowerAndAdd(c10, x, wv); c11 = TIsa.MultiplyWideningUpperAndAdd(c11, x, wv);
                                x = Vector128.Create(a2[k]);
                                c20 = TIsa.MultiplyWideningLowerAndAdd(c20, x, wv); c21 = TIsa.MultiplyWideningUpperAndAdd(c21, x, wv);
                                x = Vector128.Create(a3[k]);
                                c30 = TIsa.MultiplyWideningLowerAndAdd(c30, x, wv); c31 = TIsa.MultiplyWideningUpperAndAdd(c31, x, wv);
                            }
                            var s0 = Vector128.Load(_scale + mi * per + blk * NR);
                            var s1 = Vector128.Load(_scale + mi * per + blk * NR + 4);
                            for (int i = 0; i < rows; i++)
                            {
                                var (v0, v1) = i switch { 0 => (c00, c01), 1 => (c10, c11), 2 => (c20, c21), _ => (c30, c31) };
                                if (_kind != 0) { v0 = Requantize(v0, s0, lo, hi, zp); v1 = Requantize(v1, s1, lo, hi, zp); }
                                v0.Store(tmp); v1.Store(tmp + 4);
                                byte* d = pBase + ((nint)(r0 + i) * _outRowElems + blk * NR) * _elem;
                                if (_kind == 0) for (int j = 0; j < nValid; j++) ((int*)d)[j] = tmp[j];
                                else for (int j = 0; j < nValid; j++) d[j] = (byte)tmp[j];
                            }
                        }
                    }
                }
            }
            _in = null;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Pair(ref Vector128<int> lo, ref Vector128<int> hi, short* a, Vector128<short> w0, Vector128<short> w1, Vector128<short> ones)
        {
            var x0 = Vector128.Create(a[0]);
            var x1 = Vector128.Create(a[1]);
            var tl = TIsa.MultiplyWideningLowerAndAdd(TIsa.MultiplyWideningLowerAndAdd(Vector128<int>.Zero, x0, w0), x1, w1);
            var th = TIsa.MultiplyWideningUpperAndAdd(TIsa.MultiplyWideningUpperAndAdd(Vector128<int>.Zero, x0, w0), x1, w1);
            var s = TIsa.SaturatingNarrow(tl, th);
            lo = TIsa.MultiplyWideningLowerAndAdd(lo, s, ones);
            hi = TIsa.MultiplyWideningUpperAndAdd(hi, s, ones);
        }

        /// <summary>float32(acc) · scale, clamped, rounded half to even, + zp (the clamped values fit the output type).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> Requantize(Vector128<int> acc, Vector128<float> scale, Vector128<float> lo, Vector128<float> hi, Vector128<int> zp)
        {
            var f = Vector128.ConvertToSingle(acc) * scale;
            f = Vector128.Min(Vector128.Max(f, lo), hi);
            return Vector128.ConvertToInt32(Vector128.Round(f)) + zp;
        }

        /// <summary>Row r of problem pr's activation matrix as int16 x − x_zp (im2col for a convolution group; padding 0).</summary>
        private void PackRow(byte* input, int pr, int r, short* d)
        {
            // Exact: x − x_zp, padding 0. Pair-saturating: u = x + 128·signed (ONNX Runtime's uint8 domain), padding zp_u.
            int zp = _sat ? (_signed ? -128 : 0) : _inZp;
            short pad = _sat ? (short)_zpU : (short)0;
            if (!_conv)
            {
                byte* s = input + _mp.ABatch[pr] + (nint)r * _k;
                if (_signed) for (int i = 0; i < _k; i++) d[i] = (short)((sbyte)s[i] - zp);
                else for (int i = 0; i < _k; i++) d[i] = (short)(s[i] - zp);
                return;
            }
            QLinearConvParams p = _cp;
            int ipg = p.InC / p.Group, ohw = p.OutH * p.OutW;
            int b = r / ohw, pix = r - b * ohw, oy = pix / p.OutW, ox = pix - oy * p.OutW;
            int iy0 = oy * p.StrideH - p.PadTop, ix0 = ox * p.StrideW - p.PadLeft;
            int k = 0;
            for (int ky = 0; ky < p.KernelH; ky++)
            {
                int iy = iy0 + ky * p.DilationH;
                for (int kx = 0; kx < p.KernelW; kx++, k += ipg)
                {
                    int ix = ix0 + kx * p.DilationW;
                    if ((uint)iy >= (uint)p.InH || (uint)ix >= (uint)p.InW) { new Span<short>(d + k, ipg).Fill(pad); continue; }
                    byte* s = input + (((nint)b * p.InH + iy) * p.InW + ix) * p.InC + pr * ipg;
                    if (_signed) for (int i = 0; i < ipg; i++) d[k + i] = (short)((sbyte)s[i] - zp);
                    else for (int i = 0; i < ipg; i++) d[k + i] = (short)(s[i] - zp);
                }
            }
        }
    }
}
