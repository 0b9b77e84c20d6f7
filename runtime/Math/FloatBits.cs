namespace Edge.Runtime
{
    /// <summary>
    /// IEEE-754 binary32 bit patterns to and from float by arithmetic (nanoFramework has neither unsafe code nor
    /// BitConverter.Int32BitsToSingle). Exact for every pattern: normals, subnormals, ±0, ±infinity and NaN.
    /// </summary>
    public static class FloatBits
    {
        public static float ToFloat(int bits)
        {
            bool negative = bits < 0;
            int exponent = (bits >> 23) & 0xFF;
            int mantissa = bits & 0x7FFFFF;
            double value;
            if (exponent == 0xFF)
            {
                if (mantissa != 0) return float.NaN;
                return negative ? float.NegativeInfinity : float.PositiveInfinity;
            }
            if (exponent == 0) value = mantissa * Pow2(-149);            // subnormal (or zero)
            else value = (mantissa | 0x800000) * Pow2(exponent - 150);  // normal: 24-bit significand
            if (negative) value = -value;
            if (negative && value == 0) return -0.0f;
            return (float)value;
        }

        public static int ToBits(float f)
        {
            if (f != f) return 0x7FC00000;
            double v = f;
            int sign = 0;
            if (v < 0 || (v == 0 && 1.0 / v < 0)) { sign = unchecked((int)0x80000000); v = -v; }
            if (v == 0) return sign;
            if (v > 3.4028234663852886e38) return sign | 0x7F800000;
            // Find e with 2^e <= v < 2^(e+1): coarse steps of 2^16, then single steps (at most ~24 iterations).
            int e = 0;
            double p = 1.0;
            while (p * 65536.0 <= v) { p *= 65536.0; e += 16; }
            while (p * 2 <= v) { p *= 2; e++; }
            while (p / 65536.0 > v) { p /= 65536.0; e -= 16; }
            while (p > v) { p /= 2; e--; }
            if (e < -126)
            {
                // subnormal: mantissa = v / 2^-149 (exact: v is a float)
                int m = (int)(v / Pow2(-149));
                return sign | m;
            }
            int mantissa = (int)((v / p - 1.0) * 8388608.0);
            return sign | ((e + 127) << 23) | mantissa;
        }

        /// <summary>2^e for -1074 &lt;= e &lt;= 1023, exact.</summary>
        public static double Pow2(int e)
        {
            double r = 1.0;
            double f = e < 0 ? 0.5 : 2.0;
            int n = e < 0 ? -e : e;
            while (n > 0)
            {
                if ((n & 1) != 0) r *= f;
                f *= f;
                n >>= 1;
            }
            return r;
        }
    }
}
