using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    public static partial class GenericKernels
    {
        private static void RegisterPool<TIsa>(List<KernelEntry> list, KernelSetKind set, string sfx) where TIsa : IInt8Isa
        {
            list.Add(new KernelEntry
            {
                Name = "qs8-avgpool2d-minmax-" + sfx, Op = OpType.AveragePool2D, Set = set,
                TryCreate = (def, reference, ctx) => PoolKernel<TIsa>.TryCreate(reference, false),
            });
            list.Add(new KernelEntry
            {
                Name = "qs8-maxpool2d-minmax-" + sfx, Op = OpType.MaxPool2D, Set = set,
                TryCreate = (def, reference, ctx) => PoolKernel<TIsa>.TryCreate(reference, true),
            });
            list.Add(new KernelEntry
            {
                Name = "qu8-maxpool2d-minmax-" + sfx, Op = OpType.MaxPool2D, Set = set,
                TryCreate = (def, reference, ctx) => PoolKernel<TIsa>.TryCreate(reference, true, unsigned: true),
            });
        }
    }

    /// <summary>
    /// AVERAGE_POOL_2D / MAX_POOL_2D, byte-exact with kernels/reference/AveragePool2D.cs and MaxPool2D.cs, 16
    /// channels per step (NHWC) over the window clipped to the image.
    /// MAX: running int8 max from −128, clamp. AVERAGE: int16 sums (window ≤ 256 taps, so |sum| ≤ 32768 never
    /// wraps), widened to int32; the reference's rounding (sum ± count/2) / count with C truncation is computed as
    /// trunc(float(n) / float(count)): |n| &lt; 2^16 is exact in float and the correctly rounded quotient of two such
    /// values (count ≤ 256) never crosses an integer (a non-integer n/count is ≥ 1/count from one, the rounding
    /// error is ≤ 129·2^−24), so the truncation is exact. Windows larger than 256 taps, or shapes where some window
    /// is empty (the reference reports an error there), return null.
    /// uint8 MAX (ONNX, format 1.2): x XOR 0x80 maps uint8 order onto int8 order (0 ↦ −128, the reference's starting
    /// max), so the int8 path runs on the flipped bytes with the clamp bounds shifted by −128 and flips the result back.
    /// </summary>
    internal sealed class PoolKernel<TIsa> : OpKernel where TIsa : IInt8Isa
    {
        private readonly bool _max;
        private bool _u8;
        private readonly TensorInfo _in, _out;
        private readonly int _b, _inH, _inW, _c, _outH, _outW, _fH, _fW, _sH, _sW, _padTop, _padLeft;
        private int _actMin, _actMax;

        private PoolKernel(Pool2DOp r)
        {
            _max = r.IsMax; _in = r.Input; _out = r.Output;
            int[] i = _in.Shape, o = _out.Shape;
            _b = i[0]; _inH = i[1]; _inW = i[2]; _c = i[3]; _outH = o[1]; _outW = o[2];
            _fH = r.FilterHValue; _fW = r.FilterWValue; _sH = r.StrideHValue; _sW = r.StrideWValue;
            _padTop = r.PadTopValue; _padLeft = r.PadLeftValue; _actMin = r.ActMinValue; _actMax = r.ActMaxValue;
        }

        public static OpKernel TryCreate(OpKernel reference, bool max, bool unsigned = false)
        {
            var r = reference as Pool2DOp;
            if (r == null || r.IsMax != max) return null;
            if (r.Input.Type != (unsigned ? DType.UInt8 : DType.Int8)) return null;
            if (unsigned && (!max || r.Output.Type != DType.UInt8)) return null;
            if (r.Input.Rank != 4 || r.Output.Rank != 4 || r.Input.Shape[3] != r.Output.Shape[3] || r.Input.Shape[3] <= 0) return null;
            int shift = unsigned ? 128 : 0;
            if (r.ActMinValue - shift < -128 || r.ActMaxValue - shift > 127 || r.ActMinValue > r.ActMaxValue) return null;
            var k = new PoolKernel<TIsa>(r);
            if (unsigned) { k._u8 = true; k._actMin -= 128; k._actMax -= 128; }
            if (!max)
            {
                if ((long)k._fH * k._fW > 256) return null;
                // Every window must hold at least one tap (else the reference stops with an error).
                for (int oy = 0; oy < k._outH; oy++)
                {
                    int y0 = oy * k._sH - k._padTop;
                    if (Math.Min(k._fH, k._inH - y0) - Math.Max(0, -y0) <= 0) return null;
                }
                for (int ox = 0; ox < k._outW; ox++)
                {
                    int x0 = ox * k._sW - k._padLeft;
                    if (Math.Min(k._fW, k._inW - x0) - Math.Max(0, -x0) <= 0) return null;
                }
            }
            return k;
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            byte[] input = Data(_in, arena, model);
            Span<byte> tmp = stackalloc byte[16];
            Span<byte> tmp2 = stackalloc byte[16];
            var vMin = Vector128.Create((sbyte)_actMin);
            var vMax = Vector128.Create((sbyte)_actMax);
            var flip = Vector128.Create(_u8 ? (sbyte)-128 : (sbyte)0);
            int c = _c, rowStride = _inW * c;
            for (int b = 0; b < _b; b++)
            {
                int inBatch = _in.DataOffset + b * _inH * rowStride;
                for (int oy = 0; oy < _outH; oy++)
                {
                    int y0 = oy * _sH - _padTop;
                    int fyS = y0 < 0 ? -y0 : 0;
                    int fyE = _inH - y0 < _fH ? _inH - y0 : _fH;
                    for (int ox = 0; ox < _outW; ox++)
                    {
                        int x0 = ox * _sW - _padLeft;
                        int fxS = x0 < 0 ? -x0 : 0;
                        int fxE = _inW - x0 < _fW ? _inW - x0 : _fW;
                        int outPixel = _out.DataOffset + ((b * _outH + oy) * _outW + ox) * c;
                        int count = (fyE - fyS) * (fxE - fxS);
                        var countF = Vector128.Create((float)count);
                        var half = Vector128.Create(count / 2);
                        for (int c0 = 0; c0 < c; c0 += 16)
                        {
                            int valid = c - c0 < 16 ? c - c0 : 16;
                            Vector128<sbyte> res;
                            if (_max)
                            {
                                var m = Vector128.Create((sbyte)-128);
                                for (int fy = fyS; fy < fyE; fy++)
                                {
                                    int rb = inBatch + (y0 + fy) * rowStride + c0;
                                    for (int fx = fxS; fx < fxE; fx++)
                                        m = Vector128.Max(m, SimdIo.Load(input, rb + (x0 + fx) * c, valid, tmp) ^ flip);
                                }
                                res = m;
                            }
                            else
                            {
                                var lo = Vector128<short>.Zero;
                                var hi = Vector128<short>.Zero;
                                for (int fy = fyS; fy < fyE; fy++)
                                {
                                    int rb = inBatch + (y0 + fy) * rowStride + c0;
                                    for (int fx = fxS; fx < fxE; fx++)
                                    {
                                        var x = SimdIo.Load(input, rb + (x0 + fx) * c, valid, tmp);
                                        lo += TIsa.SignExtendLower(x);
                                        hi += TIsa.SignExtendUpper(x);
                                    }
                                }
                                var a0 = Average(Vector128.WidenLower(lo), half, countF);
                                var a1 = Average(Vector128.WidenUpper(lo), half, countF);
                                var a2 = Average(Vector128.WidenLower(hi), half, countF);
                                var a3 = Average(Vector128.WidenUpper(hi), half, countF);
                                // |avg| ≤ 128: the narrows never saturate.
                                res = TIsa.SaturatingNarrow(TIsa.SaturatingNarrow(a0, a1), TIsa.SaturatingNarrow(a2, a3));
                            }
                            res = Vector128.Min(Vector128.Max(res, vMin), vMax) ^ flip;
                            SimdIo.Store(arena, outPixel + c0, valid, res, tmp2);
                        }
                    }
                }
            }
        }

        /// <summary>(sum &gt; 0 ? sum + count/2 : sum − count/2) / count, truncating (see the class comment for exactness).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> Average(Vector128<int> sum, Vector128<int> half, Vector128<float> count)
        {
            var n = Vector128.ConditionalSelect(Vector128.GreaterThan(sum, Vector128<int>.Zero), sum + half, sum - half);
            return Vector128.ConvertToInt32(Vector128.ConvertToSingle(n) / count);
        }
    }
}
