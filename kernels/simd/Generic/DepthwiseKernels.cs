using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        /// <summary>
        /// DEPTHWISE_CONV_2D: <c>qs8-dwconv2d-3x3s1</c> and <c>-3x3s2</c> (3×3, dilation 1, unrolled taps with the
        /// weights of a 16-channel block held in registers across a row) then <c>-generic</c> (any kernel size,
        /// stride, dilation and depth multiplier).
        /// </summary>
        static partial void RegisterDepthwise<TIsa>(List<KernelEntry> list, KernelSetKind set) where TIsa : IInt8Isa
        {
            string sfx = IsaSuffix<TIsa>(set);
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-3x3s1-gemmlowp-" + sfx, Op = OpType.DepthwiseConv2D, Set = set,
                TryCreate = (def, reference, ctx) => DepthwiseKernel<TIsa>.TryCreate(def, reference, ctx, DepthwiseKernel<TIsa>.Variant.K3x3S1),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-3x3s2-gemmlowp-" + sfx, Op = OpType.DepthwiseConv2D, Set = set,
                TryCreate = (def, reference, ctx) => DepthwiseKernel<TIsa>.TryCreate(def, reference, ctx, DepthwiseKernel<TIsa>.Variant.K3x3S2),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-dwconv2d-generic-gemmlowp-" + sfx, Op = OpType.DepthwiseConv2D, Set = set,
                TryCreate = (def, reference, ctx) => DepthwiseKernel<TIsa>.TryCreate(def, reference, ctx, DepthwiseKernel<TIsa>.Variant.Generic),
            });
        }
    }

    /// <summary>
    /// DEPTHWISE_CONV_2D over the ISA seam, byte-exact with kernels/reference/DepthwiseConv2D.cs.
    ///
    /// NHWC keeps channels contiguous, so the kernel vectorizes across input channels, 16 per step: the input
    /// bytes are sign-extended to int16 (SXTL/SXTL2) and multiplied into four int32x4 accumulators (SMLAL/SMLAL2)
    /// against weights packed at load as int16 in [m][tap][channel] order (depth multiplier m outermost, channels
    /// padded to a multiple of 16 with zero weights). Accumulators start at the folded bias; a tap outside the
    /// image multiplies the input zero point (the reference contract), so every product and sum is the
    /// reference's, in wrapping int32 arithmetic, only reassociated. Requantization is
    /// <see cref="Requant.Apply{TIsa}"/> (TFLite's MultiplyByQuantizedMultiplier) + <see cref="Requant.Pack{TIsa}(System.Runtime.Intrinsics.Vector128{int}, System.Runtime.Intrinsics.Vector128{int}, System.Runtime.Intrinsics.Vector128{int}, System.Runtime.Intrinsics.Vector128{int}, System.Runtime.Intrinsics.Vector128{int}, System.Runtime.Intrinsics.Vector128{sbyte}, System.Runtime.Intrinsics.Vector128{sbyte})"/> (wrapping zero
    /// point, clamp), exactly. Tail channels (C mod 16) run the same code: lanes past the channel count
    /// read weight 0 and are not stored. With a depth multiplier the 16 results of a block are stored with stride
    /// dm (output channel ic·dm + m).
    ///
    /// Threads: output rows (batch × outH) are split across the pool's participants; the kernel object is the
    /// <see cref="IParallelTask"/>, so Eval allocates nothing.
    /// </summary>
    internal sealed class DepthwiseKernel<TIsa> : OpKernel, IParallelTask where TIsa : IInt8Isa
    {
        internal enum Variant { Generic, K3x3S1, K3x3S2 }

        /// <summary>Below this many MACs an op runs on the calling thread only (the pool's hand-off costs more).</summary>
        internal static long ParallelMinMacs = 16384;

        private readonly ConvParams _p;
        private readonly bool _fast3x3;
        private readonly int _c, _cPad, _taps, _dm;
        private readonly short[] _w;                 // [m][tap][cPad]
        private readonly int[] _bias, _mult, _left, _right;   // [m][cPad]
        private readonly WorkerPool _pool;
        private readonly long _macs;
        private byte[] _input, _output;             // valid during Eval only

        private DepthwiseKernel(ConvParams p, bool fast3x3, short[] w, int[] bias, int[] mult, int[] left, int[] right, int cPad, WorkerPool pool)
        {
            _p = p; _fast3x3 = fast3x3; _w = w; _bias = bias; _mult = mult; _left = left; _right = right;
            _c = p.InC; _cPad = cPad; _taps = p.KernelH * p.KernelW; _dm = p.DepthMultiplier; _pool = pool;
            _macs = (long)p.Batches * p.OutH * p.OutW * p.OutC * _taps;
        }

        public static OpKernel TryCreate(OperatorDef def, OpKernel reference, KernelContext ctx, Variant variant)
        {
            ConvParams p = (reference as DepthwiseConv2DOp)?.Params;
            if (p == null || p.Filter == null || !p.Filter.IsConstant) return null;
            if (p.InC <= 0 || p.OutC != p.InC * p.DepthMultiplier || p.Batches <= 0 || p.OutH <= 0 || p.OutW <= 0) return null;
            if (p.Bias == null || p.Bias.Length != p.OutC || p.Multiplier.Length != p.OutC || p.Shift.Length != p.OutC) return null;
            for (int c = 0; c < p.OutC; c++)
                if (p.Multiplier[c] < 0 || p.Shift[c] < -31 || p.Shift[c] > 30) return null;
            if (p.ActMin < -128 || p.ActMax > 127 || p.ActMin > p.ActMax) return null;
            if (p.InputZeroPoint < -128 || p.InputZeroPoint > 127 || p.OutputZeroPoint < -128 || p.OutputZeroPoint > 127) return null;
            bool fast = false;
            if (variant != Variant.Generic)
            {
                int s = variant == Variant.K3x3S1 ? 1 : 2;
                if (p.KernelH != 3 || p.KernelW != 3 || p.DilationH != 1 || p.DilationW != 1 || p.StrideH != s || p.StrideW != s) return null;
                fast = true;
            }
            byte[] file = def.Owner.Data;
            int taps = p.KernelH * p.KernelW, dm = p.DepthMultiplier, inC = p.InC, outC = p.OutC;
            if ((long)p.Filter.DataOffset + (long)taps * outC > file.Length) return null;
            int cPad = (inC + 15) & ~15;
            var w = new short[dm * taps * cPad];
            var bias = new int[dm * cPad];
            var mult = new int[dm * cPad];
            var left = new int[dm * cPad];
            var right = new int[dm * cPad];
            for (int m = 0; m < dm; m++)
            {
                for (int ic = 0; ic < inC; ic++)
                {
                    int oc = ic * dm + m;
                    for (int t = 0; t < taps; t++)
                        w[(m * taps + t) * cPad + ic] = (sbyte)file[p.Filter.DataOffset + t * outC + oc];
                    int s = p.Shift[oc];
                    bias[m * cPad + ic] = p.Bias[oc];
                    mult[m * cPad + ic] = p.Multiplier[oc];
                    left[m * cPad + ic] = s > 0 ? s : 0;
                    right[m * cPad + ic] = s > 0 ? 0 : s;
                }
            }
            ctx.PackedBytes += (long)w.Length * sizeof(short) + 4L * bias.Length * sizeof(int);
            return new DepthwiseKernel<TIsa>(p, fast, w, bias, mult, left, right, cPad, ctx.Pool);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            _input = Data(_p.Input, arena, model);
            _output = arena;
            int rows = _p.Batches * _p.OutH;
            if (_pool != null && rows > 1 && _macs >= ParallelMinMacs) _pool.Run(this);
            else Rows(0, rows);
            _input = null;
            _output = null;
        }

        public void Execute(int participant, int participants)
        {
            int rows = _p.Batches * _p.OutH;
            int start = (int)((long)rows * participant / participants);
            int end = (int)((long)rows * (participant + 1) / participants);
            if (start < end) Rows(start, end);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<sbyte> LoadInput(byte[] a, int pos, int valid, Span<byte> tmp)
        {
            if ((uint)pos + 16u <= (uint)a.Length)
                return Vector128.LoadUnsafe(ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetArrayDataReference(a)), (nuint)pos);
            // Only a tail block at the very end of the array gets here: copy the valid bytes.
            tmp.Clear();
            a.AsSpan(pos, valid).CopyTo(tmp);
            return Vector128.LoadUnsafe(ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetReference(tmp)));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Mac(ref Vector128<int> a0, ref Vector128<int> a1, ref Vector128<int> a2, ref Vector128<int> a3,
            Vector128<sbyte> x, Vector128<short> wl, Vector128<short> wh)
        {
            var xl = TIsa.SignExtendLower(x);
            var xh = TIsa.SignExtendUpper(x);
            a0 = TIsa.MultiplyWideningLowerAndAdd(a0, xl, wl);
            a1 = TIsa.MultiplyWideningUpperAndAdd(a1, xl, wl);
            a2 = TIsa.MultiplyWideningLowerAndAdd(a2, xh, wh);
            a3 = TIsa.MultiplyWideningUpperAndAdd(a3, xh, wh);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MacZp(ref Vector128<int> a0, ref Vector128<int> a1, ref Vector128<int> a2, ref Vector128<int> a3,
            Vector128<short> zp, Vector128<short> wl, Vector128<short> wh)
        {
            a0 = TIsa.MultiplyWideningLowerAndAdd(a0, zp, wl);
            a1 = TIsa.MultiplyWideningUpperAndAdd(a1, zp, wl);
            a2 = TIsa.MultiplyWideningLowerAndAdd(a2, zp, wh);
            a3 = TIsa.MultiplyWideningUpperAndAdd(a3, zp, wh);
        }

        private void Rows(int rowStart, int rowEnd)
        {
            Span<byte> tmpIn = stackalloc byte[16];
            Span<sbyte> tmpOut = stackalloc sbyte[16];
            ConvParams p = _p;
            byte[] input = _input, output = _output;
            int c = _c, cPad = _cPad, taps = _taps, dm = _dm;
            int inH = p.InH, inW = p.InW, outH = p.OutH, outW = p.OutW, outC = p.OutC;
            int kH = p.KernelH, kW = p.KernelW, sH = p.StrideH, sW = p.StrideW, dH = p.DilationH, dW = p.DilationW;
            int inRowStride = inW * c;
            var zpIn = Vector128.Create((short)p.InputZeroPoint);
            var zpOut = Vector128.Create(p.OutputZeroPoint);
            var vMin = Vector128.Create((sbyte)p.ActMin);
            var vMax = Vector128.Create((sbyte)p.ActMax);
            ref short w0 = ref MemoryMarshal.GetArrayDataReference(_w);
            ref int bias0 = ref MemoryMarshal.GetArrayDataReference(_bias);
            ref int mult0 = ref MemoryMarshal.GetArrayDataReference(_mult);
            ref int left0 = ref MemoryMarshal.GetArrayDataReference(_left);
            ref int right0 = ref MemoryMarshal.GetArrayDataReference(_right);
            ref sbyte out0 = ref Unsafe.As<byte, sbyte>(ref MemoryMarshal.GetArrayDataReference(output));

            // Output columns whose 3×3 window lies inside the image horizontally (fast path only).
            int oxLo = 0, oxHi = 0;
            if (_fast3x3)
            {
                oxLo = (p.PadLeft + sW - 1) / sW;
                int span = inW - 3 + p.PadLeft;
                oxHi = span >= 0 ? span / sW + 1 : 0;
                if (oxHi > outW) oxHi = outW;
                if (oxLo > oxHi) oxLo = oxHi;
            }

            for (int row = rowStart; row < rowEnd; row++)
            {
                int b = row / outH, oy = row - b * outH;
                int inBatch = p.Input.DataOffset + b * inH * inRowStride;
                int outRow = p.Output.DataOffset + row * outW * outC;
                int iy0 = oy * sH - p.PadTop;
                bool rowsInside = _fast3x3 && iy0 >= 0 && iy0 + 2 < inH;
                for (int m = 0; m < dm; m++)
                {
                    for (int ic0 = 0; ic0 < c; ic0 += 16)
                    {
                        int valid = c - ic0 < 16 ? c - ic0 : 16;
                        int pi = m * cPad + ic0;
                        var bias0v = Vector128.LoadUnsafe(ref bias0, (nuint)pi);
                        var bias1v = Vector128.LoadUnsafe(ref bias0, (nuint)(pi + 4));
                        var bias2v = Vector128.LoadUnsafe(ref bias0, (nuint)(pi + 8));
                        var bias3v = Vector128.LoadUnsafe(ref bias0, (nuint)(pi + 12));
                        var m0 = Vector128.LoadUnsafe(ref mult0, (nuint)pi);
                        var m1 = Vector128.LoadUnsafe(ref mult0, (nuint)(pi + 4));
                        var m2 = Vector128.LoadUnsafe(ref mult0, (nuint)(pi + 8));
                        var m3 = Vector128.LoadUnsafe(ref mult0, (nuint)(pi + 12));
                        var l0 = Vector128.LoadUnsafe(ref left0, (nuint)pi);
                        var l1 = Vector128.LoadUnsafe(ref left0, (nuint)(pi + 4));
                        var l2 = Vector128.LoadUnsafe(ref left0, (nuint)(pi + 8));
                        var l3 = Vector128.LoadUnsafe(ref left0, (nuint)(pi + 12));
                        var r0 = Vector128.LoadUnsafe(ref right0, (nuint)pi);
                        var r1 = Vector128.LoadUnsafe(ref right0, (nuint)(pi + 4));
                        var r2 = Vector128.LoadUnsafe(ref right0, (nuint)(pi + 8));
                        var r3 = Vector128.LoadUnsafe(ref right0, (nuint)(pi + 12));
                        int wb = m * taps * cPad + ic0;

                        int ox = 0;
                        if (rowsInside && oxLo < oxHi)
                        {
                            // Border columns on the left, then the unrolled interior.
                            for (; ox < oxLo; ox++)
                                StoreBlock(ref out0, outRow + ox * outC, ic0, m, dm, valid, tmpOut,
                                    GeneralPixel(input, inBatch, inRowStride, iy0, ox * sW - p.PadLeft, ic0, valid, c, inH, inW, kH, kW, dH, dW,
                                        ref w0, wb, cPad, zpIn, bias0v, bias1v, bias2v, bias3v, tmpIn,
                                        m0, m1, m2, m3, l0, l1, l2, l3, r0, r1, r2, r3, zpOut, vMin, vMax));
                            var k0l = Vector128.LoadUnsafe(ref w0, (nuint)wb);
                            var k0h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 8));
                            var k1l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + cPad));
                            var k1h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + cPad + 8));
                            var k2l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 2 * cPad));
                            var k2h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 2 * cPad + 8));
                            var k3l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 3 * cPad));
                            var k3h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 3 * cPad + 8));
                            var k4l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 4 * cPad));
                            var k4h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 4 * cPad + 8));
                            var k5l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 5 * cPad));
                            var k5h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 5 * cPad + 8));
                            var k6l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 6 * cPad));
                            var k6h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 6 * cPad + 8));
                            var k7l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 7 * cPad));
                            var k7h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 7 * cPad + 8));
                            var k8l = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 8 * cPad));
                            var k8h = Vector128.LoadUnsafe(ref w0, (nuint)(wb + 8 * cPad + 8));
                            int rowBase = inBatch + iy0 * inRowStride + ic0;
                            for (; ox < oxHi; ox++)
                            {
                                int q = rowBase + (ox * sW - p.PadLeft) * c;
                                var a0 = bias0v; var a1 = bias1v; var a2 = bias2v; var a3 = bias3v;
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q, valid, tmpIn), k0l, k0h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + c, valid, tmpIn), k1l, k1h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + 2 * c, valid, tmpIn), k2l, k2h);
                                q += inRowStride;
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q, valid, tmpIn), k3l, k3h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + c, valid, tmpIn), k4l, k4h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + 2 * c, valid, tmpIn), k5l, k5h);
                                q += inRowStride;
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q, valid, tmpIn), k6l, k6h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + c, valid, tmpIn), k7l, k7h);
                                Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, q + 2 * c, valid, tmpIn), k8l, k8h);
                                var res = Requant.Pack<TIsa>(
                                    Requant.Apply<TIsa>(a0, m0, l0, r0), Requant.Apply<TIsa>(a1, m1, l1, r1),
                                    Requant.Apply<TIsa>(a2, m2, l2, r2), Requant.Apply<TIsa>(a3, m3, l3, r3), zpOut, vMin, vMax);
                                StoreBlock(ref out0, outRow + ox * outC, ic0, m, dm, valid, tmpOut, res);
                            }
                        }
                        for (; ox < outW; ox++)
                            StoreBlock(ref out0, outRow + ox * outC, ic0, m, dm, valid, tmpOut,
                                GeneralPixel(input, inBatch, inRowStride, iy0, ox * sW - p.PadLeft, ic0, valid, c, inH, inW, kH, kW, dH, dW,
                                    ref w0, wb, cPad, zpIn, bias0v, bias1v, bias2v, bias3v, tmpIn,
                                    m0, m1, m2, m3, l0, l1, l2, l3, r0, r1, r2, r3, zpOut, vMin, vMax));
                    }
                }
            }
        }

        /// <summary>One output pixel, one 16-channel block, any window: taps outside the image use the input zero point.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<sbyte> GeneralPixel(byte[] input, int inBatch, int inRowStride, int iy0, int ix0, int ic0, int valid, int c,
            int inH, int inW, int kH, int kW, int dH, int dW, ref short w0, int wb, int cPad, Vector128<short> zpIn,
            Vector128<int> a0, Vector128<int> a1, Vector128<int> a2, Vector128<int> a3, Span<byte> tmpIn,
            Vector128<int> m0, Vector128<int> m1, Vector128<int> m2, Vector128<int> m3,
            Vector128<int> l0, Vector128<int> l1, Vector128<int> l2, Vector128<int> l3,
            Vector128<int> r0, Vector128<int> r1, Vector128<int> r2, Vector128<int> r3,
            Vector128<int> zpOut, Vector128<sbyte> vMin, Vector128<sbyte> vMax)
        {
            int wt = wb;
            for (int ky = 0; ky < kH; ky++)
            {
                int iy = iy0 + ky * dH;
                bool rowIn = (uint)iy < (uint)inH;
                int rowBase = inBatch + iy * inRowStride + ic0;
                for (int kx = 0; kx < kW; kx++, wt += cPad)
                {
                    var wl = Vector128.LoadUnsafe(ref w0, (nuint)wt);
                    var wh = Vector128.LoadUnsafe(ref w0, (nuint)(wt + 8));
                    int ix = ix0 + kx * dW;
                    if (rowIn && (uint)ix < (uint)inW)
                        Mac(ref a0, ref a1, ref a2, ref a3, LoadInput(input, rowBase + ix * c, valid, tmpIn), wl, wh);
                    else
                        MacZp(ref a0, ref a1, ref a2, ref a3, zpIn, wl, wh);
                }
            }
            return Requant.Pack<TIsa>(
                Requant.Apply<TIsa>(a0, m0, l0, r0), Requant.Apply<TIsa>(a1, m1, l1, r1),
                Requant.Apply<TIsa>(a2, m2, l2, r2), Requant.Apply<TIsa>(a3, m3, l3, r3), zpOut, vMin, vMax);
        }

        /// <summary>Stores the valid lanes of a block: output channel (ic0 + j)·dm + m of the pixel at <paramref name="pixel"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreBlock(ref sbyte out0, int pixel, int ic0, int m, int dm, int valid, Span<sbyte> tmp, Vector128<sbyte> v)
        {
            if (dm == 1 && valid == 16)
            {
                v.StoreUnsafe(ref out0, (nuint)(pixel + ic0));
                return;
            }
            v.StoreUnsafe(ref MemoryMarshal.GetReference(tmp));
            int o = pixel + ic0 * dm + m;
            for (int j = 0; j < valid; j++, o += dm) Unsafe.Add(ref out0, o) = tmp[j];
        }
    }
}
