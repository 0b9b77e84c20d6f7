using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Edge.Runtime;

namespace Edge.Kernels.Simd
{
    /// <summary>
    /// ONNX QuantizeLinear (QUANTIZE with requant_rule OnnxRuntimeFloat), float32 → uint8/int8, per tensor, 8 lanes,
    /// bit-exact with OrtRequant.QuantizeLinear: f = x / scale (vdivps, correctly rounded like the reference's float32
    /// division); NaN → 0 (the reference returns the zero point, which lies in [qmin, qmax]); clamped to
    /// [qmin − zp, qmax − zp] (vmaxps / vminps; ±∞ clamp); rounded half to even by vcvtps2dq under the default MXCSR
    /// rounding mode; + zp; narrowed exactly (the values are within the output type).
    /// </summary>
    internal sealed unsafe class X86QuantizeKernel : OpKernel
    {
        private readonly TensorInfo _in, _out;
        private readonly int _count, _zp;
        private readonly float _scale, _lo, _hi;
        private readonly bool _u8;

        private X86QuantizeKernel(QuantizeOp r)
        {
            _in = r.Input; _out = r.Output; _count = r.Input.ElementCount;
            _scale = r.OnnxScales[0]; _zp = r.OnnxZeroPoints[0];
            _lo = (float)(r.QMin - _zp); _hi = (float)(r.QMax - _zp);
            _u8 = r.Output.Type == DType.UInt8;
        }

        public static OpKernel TryCreate(OpKernel reference)
        {
            if (!Avx2.IsSupported) return null;
            var r = reference as QuantizeOp;
            if (r == null || !r.IsOnnx || r.OnnxChannels != 1 || r.Input.Type != DType.Float32) return null;
            if (r.Output.Type != DType.UInt8 && r.Output.Type != DType.Int8) return null;
            int zp = r.OnnxZeroPoints[0];
            if (zp < r.QMin || zp > r.QMax) return null;
            return new X86QuantizeKernel(r);
        }

        public override void Eval(byte[] arena, byte[] model)
        {
            byte[] input = Data(_in, arena, model);
            fixed (byte* ip = input, op = arena)
            {
                float* x = (float*)(ip + _in.DataOffset);
                byte* y = op + _out.DataOffset;
                var sc = Vector256.Create(_scale);
                var lo = Vector256.Create(_lo);
                var hi = Vector256.Create(_hi);
                var zp = Vector256.Create(_zp);
                int i = 0;
                for (; i + 8 <= _count; i += 8)
                {
                    var f = Avx.Divide(Avx.LoadVector256(x + i), sc);
                    f = Avx.AndNot(Avx.CompareUnordered(f, f), f);              // NaN → 0
                    f = Avx.Min(Avx.Max(f, lo), hi);
                    var q = Avx2.Add(Avx.ConvertToVector256Int32(f), zp);
                    var s16 = Sse2.PackSignedSaturate(q.GetLower(), q.GetUpper());
                    var b = _u8 ? Sse2.PackUnsignedSaturate(s16, s16).AsInt64() : Sse2.PackSignedSaturate(s16, s16).AsInt64();
                    *(long*)(y + i) = b.ToScalar();
                }
                for (; i < _count; i++)
                    y[i] = (byte)Edge.Kernels.Reference.OrtRequant.QuantizeLinear(x[i], _scale, _zp, (int)_lo + _zp, (int)_hi + _zp);
            }
        }
    }
}
