using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class X86Kernels
    {
        static partial void RegisterDepthwise(List<KernelEntry> list)
        {
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-3x3-gemmlowp-avx512skx", Op = OpType.DepthwiseConv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86DepthwiseKernel.TryCreate(def, reference, ctx, true, true),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-3x3-gemmlowp-avx2", Op = OpType.DepthwiseConv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86DepthwiseKernel.TryCreate(def, reference, ctx, true, false),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-generic-gemmlowp-avx512skx", Op = OpType.DepthwiseConv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86DepthwiseKernel.TryCreate(def, reference, ctx, false, true),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-generic-gemmlowp-avx2", Op = OpType.DepthwiseConv2D, Set = KernelSetKind.X86,
                TryCreate = (def, reference, ctx) => X86DepthwiseKernel.TryCreate(def, reference, ctx, false, false),
            });
        }
    }

    /// <summary>
    /// DEPTHWISE_CONV_2D (any depth multiplier, window, stride, dilation, padding), vectorized across OUTPUT
    /// channels, which NHWC keeps contiguous: a block of L = 8 (AVX2) or 16 (AVX-512) output channels
    /// oc0 … oc0+L−1 reads input channels oc/dm; the block's input bytes are loaded from channel oc0/dm,
    /// sign-extended to int32 (vpmovsxbd) and, for dm &gt; 1, spread to their output lanes by a permutation
    /// (vpermd, indices (oc0+j)/dm − oc0/dm &lt; L, fixed at load). Each tap is one vpmulld + vpaddd against the
    /// weights, which are the filter's own [tap][oc] layout widened to int32 (zero for lanes past the channel
    /// count). Accumulators start at the folded bias; a tap outside the image multiplies the input zero point (the
    /// reference contract), so every product and sum is the reference's in wrapping int32, only reassociated.
    /// Requantization is <see cref="X86Requant"/> (exact), then + zero point, clamp, narrow; lanes past the channel
    /// count are not stored.
    ///
    /// The 3×3 entry unrolls the nine taps with their weights held in registers for pixels whose window lies inside
    /// the image (any stride or dilation); the generic entry loops over precomputed tap offsets. Border pixels go
    /// through the checked path. Output rows are split across the pool's participants.
    /// </summary>
    internal sealed unsafe class X86DepthwiseKernel : OpKernel, IParallelTask
    {
        internal static long ParallelMinMacs = 16384;

        private readonly ConvParams _p;
        private readonly bool _three, _wide, _identity;
        private readonly int _lanes, _blocks, _taps;
        private readonly int* _w;          // [tap][blocks·L] int32
        private readonly int* _q;          // X86Requant constants per block
        private readonly int* _idx;        // [block][L] permutation indices
        private readonly int* _icBase;     // [block] first input channel
        private readonly nint* _off;       // [tap] byte offset of the tap inside the image (interior pixels)
        private readonly Epilogue _e;
        private readonly WorkerPool _pool;
        private readonly long _macs;
        private readonly object[] _keep;
        private byte[] _input, _output;

        private X86DepthwiseKernel(ConvParams p, bool three, bool wide, KernelContext ctx, byte[] file)
        {
            _p = p; _three = three; _wide = wide; _pool = ctx.Pool;
            _lanes = wide ? 16 : 8;
            int outC = p.OutC, dm = p.DepthMultiplier, L = _lanes;
            _blocks = (outC + L - 1) / L;
            _taps = p.KernelH * p.KernelW;
            _identity = dm == 1;
            _macs = (long)p.Batches * p.OutH * p.OutW * outC * _taps;
            int cols = _blocks * L;
            var keep = new List<object>();
            int* Alloc(int n)
            {
                var a = GC.AllocateArray<int>(n + 16, pinned: true);
                keep.Add(a);
                ctx.PackedBytes += 4L * a.Length;
                return (int*)(((nint)Unsafe.AsPointer(ref a[0]) + 63) & ~(nint)63);
            }
            _w = Alloc(_taps * cols);
            for (int t = 0; t < _taps; t++)
                for (int oc = 0; oc < outC; oc++)
                    _w[t * cols + oc] = (sbyte)file[p.Filter.DataOffset + t * outC + oc];
            var q = X86Requant.PackConstants(p.Bias, p.Multiplier, p.Shift, outC, L, _blocks);
            _q = Alloc(q.Length);
            for (int i = 0; i < q.Length; i++) _q[i] = q[i];
            _idx = Alloc(cols);
            _icBase = Alloc(_blocks);
            for (int b = 0; b < _blocks; b++)
            {
                int ic0 = b * L / dm;
                _icBase[b] = ic0;
                for (int j = 0; j < L; j++)
                {
                    int ic = (b * L + j) / dm;
                    _idx[b * L + j] = Math.Min(ic - ic0, L - 1);
                }
            }
            var off = GC.AllocateArray<nint>(_taps + 8, pinned: true);
            keep.Add(off);
            _off = (nint*)Unsafe.AsPointer(ref off[0]);
            for (int ky = 0; ky < p.KernelH; ky++)
                for (int kx = 0; kx < p.KernelW; kx++)
                    _off[ky * p.KernelW + kx] = ((nint)ky * p.DilationH * p.InW + (nint)kx * p.DilationW) * p.InC;
            _keep = keep.ToArray();
            _e = new Epilogue(p.OutputZeroPoint, p.ActMin, p.ActMax);
        }

        public static OpKernel TryCreate(OperatorDef def, OpKernel reference, KernelContext ctx, bool three, bool wide)
        {
            if (!Avx2.IsSupported) return null;
            if (wide && !(Avx512F.IsSupported && Avx512BW.IsSupported)) return null;
            ConvParams p = (reference as DepthwiseConv2DOp)?.Params;
            if (p == null || p.Filter == null || !p.Filter.IsConstant || p.Bias == null) return null;
            if (p.InC <= 0 || p.DepthMultiplier <= 0 || p.OutC != p.InC * p.DepthMultiplier) return null;
            if (p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0) return null;
            if (p.Bias.Length != p.OutC || p.Multiplier.Length != p.OutC || p.Shift.Length != p.OutC) return null;
            for (int c = 0; c < p.OutC; c++)
                if (p.Multiplier[c] < 0 || p.Shift[c] < -31 || p.Shift[c] > 30) return null;
            if (p.ActMin < -128 || p.ActMax > 127 || p.ActMin > p.ActMax) return null;
            if (p.InputZeroPoint < -128 || p.InputZeroPoint > 127) return null;
            if (three && (p.KernelH != 3 || p.KernelW != 3)) return null;
            // 16-lane blocks waste half their work on 8-channel layers: leave those to the 8-lane kernels.
            if (wide && p.OutC % 16 != 0 && p.OutC % 16 <= 8) return null;
            byte[] file = def.Owner.Data;
            if ((long)p.Filter.DataOffset + (long)p.KernelH * p.KernelW * p.OutC > file.Length) return null;
            return new X86DepthwiseKernel(p, three, wide, ctx, file);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            _input = Data(_p.Input, arena, model);
            _output = arena;
            int rows = _p.Batches * _p.OutH;
            if (_pool != null && rows > 1 && _macs >= ParallelMinMacs) _pool.Run(this);
            else Execute(0, 1);
            _input = null;
            _output = null;
        }

        public void Execute(int participant, int participants)
        {
            int rows = _p.Batches * _p.OutH;
            int start = (int)((long)rows * participant / participants);
            int end = (int)((long)rows * (participant + 1) / participants);
            if (start >= end) return;
            fixed (byte* inp = _input, outp = _output)
            {
                sbyte* limit = (sbyte*)inp + _input.Length - _lanes;   // last address a full lane load may start at
                if (_wide) Rows512(start, end, (sbyte*)inp, limit, (sbyte*)outp);
                else Rows256(start, end, (sbyte*)inp, limit, (sbyte*)outp);
            }
        }

        // ---------------------------------------------------------------- 8 lanes (AVX2)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<int> Load8(sbyte* p, sbyte* limit, bool identity, Vector256<int> idx)
        {
            Vector256<int> v;
            if (p <= limit) v = Avx2.ConvertToVector256Int32(p);
            else
            {
                long t = 0;
                for (int i = 0; p + i < limit + 8; i++) t |= (long)(byte)p[i] << (8 * i);
                v = Avx2.ConvertToVector256Int32(Vector128.CreateScalar(t).AsSByte());
            }
            return identity ? v : Avx2.PermuteVar8x32(v, idx);
        }

        [SkipLocalsInit]
        private void Rows256(int rowStart, int rowEnd, sbyte* inp, sbyte* limit, sbyte* outp)
        {
            ConvParams p = _p;
            int inH = p.InH, inW = p.InW, inC = p.InC, outH = p.OutH, outW = p.OutW, outC = p.OutC;
            int kH = p.KernelH, kW = p.KernelW, sH = p.StrideH, sW = p.StrideW, dH = p.DilationH, dW = p.DilationW;
            int cols = _blocks * 8, taps = _taps;
            bool identity = _identity;
            nint rowStride = (nint)inW * inC;
            var zp = Vector256.Create(p.InputZeroPoint);
            // Output columns whose window lies inside the image horizontally.
            int oxLo = (p.PadLeft + sW - 1) / sW;
            int spanX = inW - ((kW - 1) * dW + 1) + p.PadLeft;
            int oxHi = spanX >= 0 ? Math.Min(spanX / sW + 1, outW) : 0;
            if (oxLo > oxHi) oxLo = oxHi;
            nint o0 = _off[0], o1 = _off[1], o2 = _off[2], o3 = _off[3], o4 = _off[4], o5 = _off[5], o6 = _off[6], o7 = _off[7], o8 = _off[8];
            for (int row = rowStart; row < rowEnd; row++)
            {
                int b = row / outH, oy = row - b * outH;
                sbyte* img = inp + p.Input.DataOffset + b * (nint)inH * rowStride;
                sbyte* orow = outp + p.Output.DataOffset + (nint)row * outW * outC;
                int iy0 = oy * sH - p.PadTop;
                bool rowsInside = iy0 >= 0 && iy0 + (kH - 1) * dH < inH;
                for (int blk = 0; blk < _blocks; blk++)
                {
                    int* qb = _q + blk * X86Requant.BlockInts256;
                    var bias = Vector256.Load(qb);
                    var m = Vector256.Load(qb + 8); var mo = Vector256.Load(qb + 16); var lf = Vector256.Load(qb + 24).AsUInt32();
                    var rt = Vector256.Load(qb + 32).AsUInt32(); var mk = Vector256.Load(qb + 40); var hf = Vector256.Load(qb + 48);
                    var idx = Vector256.Load(_idx + blk * 8);
                    int* wb = _w + blk * 8;
                    int n = Math.Min(8, outC - blk * 8);
                    sbyte* ib = img + _icBase[blk];
                    sbyte* ob = orow + blk * 8;
                    int ox = 0;
                    if (rowsInside && oxLo < oxHi)
                    {
                        for (; ox < oxLo; ox++) Border256(ib, iy0, ox * sW - p.PadLeft, inH, inW, inC, rowStride, kH, kW, dH, dW, wb, cols, zp, bias, limit, identity, idx, m, mo, lf, rt, mk, hf, ob + (nint)ox * outC, n);
                        sbyte* rowBase = ib + iy0 * rowStride;
                        if (_three)
                        {
                            var w0 = Vector256.Load(wb); var w1 = Vector256.Load(wb + cols); var w2 = Vector256.Load(wb + 2 * cols);
                            var w3 = Vector256.Load(wb + 3 * cols); var w4 = Vector256.Load(wb + 4 * cols); var w5 = Vector256.Load(wb + 5 * cols);
                            var w6 = Vector256.Load(wb + 6 * cols); var w7 = Vector256.Load(wb + 7 * cols); var w8 = Vector256.Load(wb + 8 * cols);
                            for (; ox < oxHi; ox++)
                            {
                                sbyte* px = rowBase + (nint)(ox * sW - p.PadLeft) * inC;
                                var acc = Avx2.Add(bias, Avx2.MultiplyLow(Load8(px + o0, limit, identity, idx), w0));
                                var a1 = Avx2.MultiplyLow(Load8(px + o1, limit, identity, idx), w1);
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Load8(px + o2, limit, identity, idx), w2));
                                a1 = Avx2.Add(a1, Avx2.MultiplyLow(Load8(px + o3, limit, identity, idx), w3));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Load8(px + o4, limit, identity, idx), w4));
                                a1 = Avx2.Add(a1, Avx2.MultiplyLow(Load8(px + o5, limit, identity, idx), w5));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Load8(px + o6, limit, identity, idx), w6));
                                a1 = Avx2.Add(a1, Avx2.MultiplyLow(Load8(px + o7, limit, identity, idx), w7));
                                acc = Avx2.Add(acc, Avx2.MultiplyLow(Load8(px + o8, limit, identity, idx), w8));
                                acc = Avx2.Add(acc, a1);
                                X86Requant.Store8(ob + (nint)ox * outC, X86Requant.Final256(X86Requant.Apply256(acc, m, mo, lf, rt, mk, hf), in _e), n);
                            }
                        }
                        else
                        {
                            for (; ox < oxHi; ox++)
                            {
                                sbyte* px = rowBase + (nint)(ox * sW - p.PadLeft) * inC;
                                var acc = bias;
                                int* wt = wb;
                                for (int t = 0; t < taps; t++, wt += cols)
                                    acc = Avx2.Add(acc, Avx2.MultiplyLow(Load8(px + _off[t], limit, identity, idx), Vector256.Load(wt)));
                                X86Requant.Store8(ob + (nint)ox * outC, X86Requant.Final256(X86Requant.Apply256(acc, m, mo, lf, rt, mk, hf), in _e), n);
                            }
                        }
                    }
                    for (; ox < outW; ox++) Border256(ib, iy0, ox * sW - p.PadLeft, inH, inW, inC, rowStride, kH, kW, dH, dW, wb, cols, zp, bias, limit, identity, idx, m, mo, lf, rt, mk, hf, ob + (nint)ox * outC, n);
                }
            }
        }

        private void Border256(sbyte* ib, int iy0, int ix0, int inH, int inW, int inC, nint rowStride, int kH, int kW, int dH, int dW,
            int* wb, int cols, Vector256<int> zp, Vector256<int> acc, sbyte* limit, bool identity, Vector256<int> idx,
            Vector256<int> m, Vector256<int> mo, Vector256<uint> lf, Vector256<uint> rt, Vector256<int> mk, Vector256<int> hf, sbyte* dst, int n)
        {
            int* wt = wb;
            for (int ky = 0; ky < kH; ky++)
            {
                int iy = iy0 + ky * dH;
                bool rowIn = (uint)iy < (uint)inH;
                for (int kx = 0; kx < kW; kx++, wt += cols)
                {
                    int ix = ix0 + kx * dW;
                    var x = rowIn && (uint)ix < (uint)inW ? Load8(ib + iy * rowStride + (nint)ix * inC, limit, identity, idx) : zp;
                    acc = Avx2.Add(acc, Avx2.MultiplyLow(x, Vector256.Load(wt)));
                }
            }
            X86Requant.Store8(dst, X86Requant.Final256(X86Requant.Apply256(acc, m, mo, lf, rt, mk, hf), in _e), n);
        }

        // ---------------------------------------------------------------- 16 lanes (AVX-512)

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<int> Load16(sbyte* p, sbyte* limit, bool identity, Vector512<int> idx)
        {
            Vector512<int> v;
            if (p <= limit) v = Avx512F.ConvertToVector512Int32(Vector128.Load(p));
            else
            {
                Vector128<sbyte> t = default;
                sbyte* tp = (sbyte*)&t;
                for (int i = 0; p + i < limit + 16; i++) tp[i] = p[i];
                v = Avx512F.ConvertToVector512Int32(t);
            }
            return identity ? v : Avx512F.PermuteVar16x32(v, idx);
        }

        [SkipLocalsInit]
        private void Rows512(int rowStart, int rowEnd, sbyte* inp, sbyte* limit, sbyte* outp)
        {
            ConvParams p = _p;
            int inH = p.InH, inW = p.InW, inC = p.InC, outH = p.OutH, outW = p.OutW, outC = p.OutC;
            int kH = p.KernelH, kW = p.KernelW, sH = p.StrideH, sW = p.StrideW, dH = p.DilationH, dW = p.DilationW;
            int cols = _blocks * 16, taps = _taps;
            bool identity = _identity;
            nint rowStride = (nint)inW * inC;
            var zp = Vector512.Create(p.InputZeroPoint);
            int oxLo = (p.PadLeft + sW - 1) / sW;
            int spanX = inW - ((kW - 1) * dW + 1) + p.PadLeft;
            int oxHi = spanX >= 0 ? Math.Min(spanX / sW + 1, outW) : 0;
            if (oxLo > oxHi) oxLo = oxHi;
            nint o0 = _off[0], o1 = _off[1], o2 = _off[2], o3 = _off[3], o4 = _off[4], o5 = _off[5], o6 = _off[6], o7 = _off[7], o8 = _off[8];
            const int BI = 7 * 16;
            for (int row = rowStart; row < rowEnd; row++)
            {
                int b = row / outH, oy = row - b * outH;
                sbyte* img = inp + p.Input.DataOffset + b * (nint)inH * rowStride;
                sbyte* orow = outp + p.Output.DataOffset + (nint)row * outW * outC;
                int iy0 = oy * sH - p.PadTop;
                bool rowsInside = iy0 >= 0 && iy0 + (kH - 1) * dH < inH;
                for (int blk = 0; blk < _blocks; blk++)
                {
                    int* qb = _q + blk * BI;
                    var bias = Vector512.Load(qb);
                    var m = Vector512.Load(qb + 16); var mo = Vector512.Load(qb + 32); var lf = Vector512.Load(qb + 48).AsUInt32();
                    var rt = Vector512.Load(qb + 64).AsUInt32(); var mk = Vector512.Load(qb + 80); var hf = Vector512.Load(qb + 96);
                    var idx = Vector512.Load(_idx + blk * 16);
                    int* wb = _w + blk * 16;
                    int n = Math.Min(16, outC - blk * 16);
                    sbyte* ib = img + _icBase[blk];
                    sbyte* ob = orow + blk * 16;
                    int ox = 0;
                    if (rowsInside && oxLo < oxHi)
                    {
                        for (; ox < oxLo; ox++) Border512(ib, iy0, ox * sW - p.PadLeft, inH, inW, inC, rowStride, kH, kW, dH, dW, wb, cols, zp, bias, limit, identity, idx, m, mo, lf, rt, mk, hf, ob + (nint)ox * outC, n);
                        sbyte* rowBase = ib + iy0 * rowStride;
                        if (_three)
                        {
                            var w0 = Vector512.Load(wb); var w1 = Vector512.Load(wb + cols); var w2 = Vector512.Load(wb + 2 * cols);
                            var w3 = Vector512.Load(wb + 3 * cols); var w4 = Vector512.Load(wb + 4 * cols); var w5 = Vector512.Load(wb + 5 * cols);
                            var w6 = Vector512.Load(wb + 6 * cols); var w7 = Vector512.Load(wb + 7 * cols); var w8 = Vector512.Load(wb + 8 * cols);
                            for (; ox < oxHi; ox++)
                            {
                                sbyte* px = rowBase + (nint)(ox * sW - p.PadLeft) * inC;
                                var acc = Avx512F.Add(bias, Avx512F.MultiplyLow(Load16(px + o0, limit, identity, idx), w0));
                                var a1 = Avx512F.MultiplyLow(Load16(px + o1, limit, identity, idx), w1);
                                acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Load16(px + o2, limit, identity, idx), w2));
                                a1 = Avx512F.Add(a1, Avx512F.MultiplyLow(Load16(px + o3, limit, identity, idx), w3));
                                acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Load16(px + o4, limit, identity, idx), w4));
                                a1 = Avx512F.Add(a1, Avx512F.MultiplyLow(Load16(px + o5, limit, identity, idx), w5));
                                acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Load16(px + o6, limit, identity, idx), w6));
                                a1 = Avx512F.Add(a1, Avx512F.MultiplyLow(Load16(px + o7, limit, identity, idx), w7));
                                acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Load16(px + o8, limit, identity, idx), w8));
                                acc = Avx512F.Add(acc, a1);
                                X86Requant.Store16(ob + (nint)ox * outC, X86Requant.Final512(X86Requant.Apply512(acc, m, mo, lf, rt, mk, hf), in _e), n);
                            }
                        }
                        else
                        {
                            for (; ox < oxHi; ox++)
                            {
                                sbyte* px = rowBase + (nint)(ox * sW - p.PadLeft) * inC;
                                var acc = bias;
                                int* wt = wb;
                                for (int t = 0; t < taps; t++, wt += cols)
                                    acc = Avx512F.Add(acc, Avx512F.MultiplyLow(Load16(px + _off[t], limit, identity, idx), Vector512.Load(wt)));
                                X86Requant.Store16(ob + (nint)ox * outC, X86Requant.Final512(X86Requant.Apply512(acc, m, mo, lf, rt, mk, hf), in _e), n);
                            }
                        }
                    }
                    for (; ox < outW; ox++) Border512(ib, iy0, ox * sW - p.PadLeft, inH, inW, inC, rowStride, kH, kW, dH, dW, wb, cols, zp, bias, limit, identity, idx, m, mo, lf, rt, mk, hf, ob + (nint)ox * outC, n);
                }
            }
        }

        private void Border512(sbyte* ib, int iy0, int ix0, int inH, int inW, int inC, nint rowStride, int kH, int kW, int dH, int dW,
            int* wb, int cols, Vector512<int> zp, Vector512<int> acc, sbyte* limit, bool identity, Vector512<int> idx,
            Vector512<int> m, Vector512<int> mo, Vector512<uint> lf, Vector512<uint> rt, Vector512<int> mk, Vector512<int> hf, sbyte* dst, int n)
        {
            int* wt = wb;
            for (int ky = 0; ky < kH; ky++)
            {
                int iy = iy0 + ky * dH;
                bool rowIn = (uint)iy < (uint)inH;
                for (int kx = 0; kx < kW; kx++, wt += cols)
                {
                    int ix = ix0 + kx * dW;
                    var x = rowIn && (uint)ix < (uint)inW ? Load16(ib + iy * rowStride + (nint)ix * inC, limit, identity, idx) : zp;
                    acc = Avx512F.Add(acc, Avx512F.MultiplyLow(x, Vector512.Load(wt)));
                }
            }
            X86Requant.Store16(dst, X86Requant.Final512(X86Requant.Apply512(acc, m, mo, lf, rt, mk, hf), in _e), n);
        }
    }
}
