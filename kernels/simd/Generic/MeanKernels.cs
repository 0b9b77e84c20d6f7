using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        private static void RegisterMean<TIsa>(List<KernelEntry> list, KernelSetKind set, string sfx) where TIsa : IInt8Isa
        {
            list.Add(new KernelEntry
            {
                Name = "qs8-mean-hw-gemmlowp-" + sfx, Op = OpType.Mean, Set = set,
                TryCreate = (def, reference, ctx) => MeanKernel<TIsa>.TryCreate(reference),
            });
        }
    }

    /// <summary>
    /// MEAN of a 4-D NHWC tensor over axes {1, 2} (global average pooling), byte-exact with
    /// kernels/reference/Mean.cs. The sums run 16 channels at a time: int16 partial sums over at most 256 pixels
    /// (|sum| ≤ 32768, never wraps), added into int32 accumulators, which wrap exactly like the reference's int32
    /// sums. The B·C outputs are then finished with the reference's scalar formulas (C division for the same-
    /// quantization path; MultiplyByQuantizedMultiplier, which the reference allows with shifts down to −62, for
    /// the rescaled one). Other axes return null.
    /// </summary>
    internal sealed class MeanKernel<TIsa> : OpKernel where TIsa : IInt8Isa
    {
        private readonly TensorInfo _in, _out;
        private readonly int _b, _hw, _c;
        private readonly bool _same;
        private readonly int _inZp, _outZp, _mult, _shift;

        private MeanKernel(MeanOp r)
        {
            _in = r.Input; _out = r.Output;
            int[] s = _in.Shape;
            _b = s[0]; _hw = s[1] * s[2]; _c = s[3];
            _same = r.SameQuantization; _inZp = r.InputZeroPoint; _outZp = r.OutputZeroPoint; _mult = r.Multiplier; _shift = r.Shift;
        }

        public static OpKernel TryCreate(OpKernel reference)
        {
            var r = reference as MeanOp;
            if (r == null || r.Input.Rank != 4) return null;
            int[] axes = r.Axes;
            if (axes == null || axes.Length != 2 || axes[0] != 1 || axes[1] != 2) return null;
            int[] s = r.Input.Shape;
            if (s[0] <= 0 || s[1] <= 0 || s[2] <= 0 || s[3] <= 0) return null;
            if (r.Output.ElementCount != s[0] * s[3]) return null;
            return new MeanKernel<TIsa>(r);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            byte[] input = Data(_in, arena, model);
            Span<byte> tmp = stackalloc byte[16];
            Span<int> sums = stackalloc int[16];
            int c = _c, hw = _hw, count = hw;
            int zpCount = unchecked(_inZp * count);
            for (int b = 0; b < _b; b++)
            {
                int inBatch = _in.DataOffset + b * hw * c;
                int outBase = _out.DataOffset + b * c;
                for (int c0 = 0; c0 < c; c0 += 16)
                {
                    int valid = c - c0 < 16 ? c - c0 : 16;
                    var s0 = Vector128<int>.Zero; var s1 = Vector128<int>.Zero;
                    var s2 = Vector128<int>.Zero; var s3 = Vector128<int>.Zero;
                    for (int p0 = 0; p0 < hw; p0 += 256)
                    {
                        int p1 = hw - p0 < 256 ? hw : p0 + 256;
                        var lo = Vector128<short>.Zero;
                        var hi = Vector128<short>.Zero;
                        int pos = inBatch + p0 * c + c0;
                        for (int p = p0; p < p1; p++, pos += c)
                        {
                            var x = SimdIo.Load(input, pos, valid, tmp);
                            lo += TIsa.SignExtendLower(x);
                            hi += TIsa.SignExtendUpper(x);
                        }
                        s0 += Vector128.WidenLower(lo); s1 += Vector128.WidenUpper(lo);
                        s2 += Vector128.WidenLower(hi); s3 += Vector128.WidenUpper(hi);
                    }
                    s0.CopyTo(sums); s1.CopyTo(sums.Slice(4)); s2.CopyTo(sums.Slice(8)); s3.CopyTo(sums.Slice(12));
                    for (int j = 0; j < valid; j++)
                    {
                        int v;
                        if (_same) v = sums[j] / count;
                        else
                        {
                            v = FixedPoint.MultiplyByQuantizedMultiplier(unchecked(sums[j] - zpCount), _mult, _shift) + _outZp;
                            if (v < -128) v = -128;
                            if (v > 127) v = 127;
                        }
                        arena[outBase + c0 + j] = (byte)v;
                    }
                }
            }
        }
    }
}
