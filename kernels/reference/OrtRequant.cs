namespace Edge.Kernels.Reference
{
    /// <summary>
    /// ONNX Runtime's float requantization rule (RequantRule.OnnxRuntimeFloat), the arithmetic ONNX models are
    /// defined by and ONNX Runtime's CPU kernels compute:
    ///  - <see cref="Requantize"/>: MlasRequantizeOutput — float32(acc) · scale (one float32 multiply), clamped
    ///    to [qmin − zp, qmax − zp] in float, rounded half to even (MLAS adds 1.5·2^23 and takes the bits), + zp.
    ///  - <see cref="QuantizeLinear"/>: MlasQuantizeLinear — x / scale (one float32 divide), clamped to
    ///    [qmin − zp, qmax − zp], rounded half to even, + zp. NaN becomes zp (MLAS's max/min return the bound
    ///    operand for NaN on x86: maxps(NaN, lo) = lo, then clamped; documented divergence-free for finite input).
    ///  - <see cref="DequantizeLinear"/>: float32(q − zp) · scale.
    /// Float arithmetic only (nanoFramework subset); every product/quotient is explicitly rounded to float32.
    /// </summary>
    public static class OrtRequant
    {
        /// <summary>Round half to even of a finite value within the int32 range.</summary>
        public static int RoundHalfEven(float v)
        {
            double d = v;
            double fl = System.Math.Floor(d);
            double diff = d - fl;   // exact: d is a float
            if (diff > 0.5) fl += 1.0;
            else if (diff == 0.5)
            {
                long li = (long)fl;
                if ((li & 1) != 0) fl += 1.0;
            }
            return (int)fl;
        }

        /// <summary>q = round_half_even(clamp(float32(acc) · scale, qmin − zp, qmax − zp)) + zp.</summary>
        public static int Requantize(int acc, float scale, int zeroPoint, int qmin, int qmax)
        {
            float f = (float)((float)acc * scale);
            float lo = (float)(qmin - zeroPoint), hi = (float)(qmax - zeroPoint);
            if (!(f >= lo)) f = lo;   // also NaN
            if (f > hi) f = hi;
            return RoundHalfEven(f) + zeroPoint;
        }

        /// <summary>q = round_half_even(clamp(x / scale, qmin − zp, qmax − zp)) + zp.</summary>
        public static int QuantizeLinear(float x, float scale, int zeroPoint, int qmin, int qmax)
        {
            float f = (float)(x / scale);
            float lo = (float)(qmin - zeroPoint), hi = (float)(qmax - zeroPoint);
            if (f != f) return zeroPoint < qmin ? qmin : (zeroPoint > qmax ? qmax : zeroPoint);
            if (f < lo) f = lo;
            if (f > hi) f = hi;
            return RoundHalfEven(f) + zeroPoint;
        }

        public static float DequantizeLinear(int q, float scale, int zeroPoint)
        {
            return (float)((float)(q - zeroPoint) * scale);
        }

        /// <summary>Reads element i of an 8-bit tensor as signed or unsigned.</summary>
        public static int Load8(byte[] data, int offset, bool signed)
        {
            return signed ? (int)(sbyte)data[offset] : (int)data[offset];
        }

        public static int ReadInt32(byte[] b, int o)
        {
            return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
        }

        public static void WriteInt32(byte[] b, int o, int v)
        {
            b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); b[o + 2] = (byte)(v >> 16); b[o + 3] = (byte)(v >> 24);
        }

        /// <summary>
        /// Stores an accumulator: outKind 0 = int32 (as is), 1 = uint8, 2 = int8 (requantized with scale/zp and
        /// clamped to [actMin, actMax]).
        /// </summary>
        public static void Store(byte[] output, int index, int outKind, int acc, float scale, int zeroPoint, int actMin, int actMax)
        {
            if (outKind == 0) { WriteInt32(output, index * 4, acc); return; }
            output[index] = (byte)Requantize(acc, scale, zeroPoint, actMin, actMax);
        }

        /// <summary>
        /// float32 fused multiply-add a·b + c, correctly rounded once (as x86 VFMADD): a·b is exact in double
        /// (|a| &lt; 2^29), the double sum is exact or off by its rounding error e (recovered exactly by TwoSum); the
        /// one case where rounding the double to float differs from rounding the exact value — the double lying
        /// exactly halfway between two floats with e ≠ 0 — is resolved toward e.
        /// </summary>
        public static float Fma(int a, float b, float c)
        {
            double p = (double)a * b;
            double s = p + c;
            double bb = s - p;
            double e = (p - (s - bb)) + (c - bb);
            float f = (float)s;
            if (e == 0 || f != f || f - f != 0) return f;
            double fd = f;
            if (fd == s) return f;   // s is a float; the exact value is within |e| (far below half an ulp) of it
            // The other float neighbour of s.
            float g = fd < s ? NextUp(f) : NextDown(f);
            double mid = (fd + (double)g) * 0.5;   // exact in double
            if (s != mid) return f;
            // Exactly halfway in double but not in truth: the exact value lies on e's side.
            bool above = e > 0;
            return above ? (fd > g ? f : g) : (fd < g ? f : g);
        }

        private static float NextUp(float f)
        {
            int bits = Edge.Runtime.FloatBits.ToBits(f);
            if (bits >= 0) bits++; else if (bits == unchecked((int)0x80000000)) bits = 1; else bits--;
            return Edge.Runtime.FloatBits.ToFloat(bits);
        }

        private static float NextDown(float f)
        {
            int bits = Edge.Runtime.FloatBits.ToBits(f);
            if (bits > 0) bits--; else if (bits == 0) bits = unchecked((int)0x80000001); else bits++;
            return Edge.Runtime.FloatBits.ToFloat(bits);
        }

        /// <summary>x86 CVTPS2DQ: round half to even; NaN and values outside int32 give int.MinValue.</summary>
        public static int CvtPs(float f)
        {
            if (!(f >= -2147483648f && f < 2147483648f)) return int.MinValue;
            return RoundHalfEven(f);
        }
    }
}
