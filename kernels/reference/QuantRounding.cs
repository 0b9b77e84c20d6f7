namespace Edge.Kernels.Reference
{
    /// <summary>
    /// Float helpers shared by the kernels that do float math (QUANTIZE, DEQUANTIZE, CONCATENATION with
    /// scaling): TfLiteRound and the float32 little-endian load/store. Arithmetic only (nanoFramework subset).
    /// </summary>
    public static class QuantRounding
    {
        /// <summary>
        /// static_cast&lt;int32_t&gt;(TfLiteRound(v)) for a float v: std::round (half away from zero, computed
        /// exactly in double), then conversion to int32. C++ leaves out-of-range and NaN conversions undefined;
        /// here they follow the ARM VCVT behaviour TFLM targets: saturate to the int32 range, NaN → 0.
        /// </summary>
        public static int RoundToInt32(float v)
        {
            if (v != v) return 0;
            double a = v < 0 ? -(double)v : (double)v;
            double r = System.Math.Floor(a + 0.5);   // exact: a is a float, a + 0.5 is exact in double below 2^52
            if (v < 0) r = -r;
            if (r >= 2147483647.0) return int.MaxValue;
            if (r <= -2147483648.0) return int.MinValue;
            return (int)r;
        }

        /// <summary>Clamps an int32 plus a zero point (added without overflow) to the int8 range.</summary>
        public static int AddAndClampInt8(int value, int zeroPoint)
        {
            long v = (long)value + zeroPoint;
            if (v < -128) return -128;
            if (v > 127) return 127;
            return (int)v;
        }

        /// <summary>Reads a little-endian IEEE-754 binary32 value (via Edge.Runtime.FloatBits, arithmetic only).</summary>
        public static float ReadFloat(byte[] data, int offset)
        {
            int bits = data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16) | (data[offset + 3] << 24);
            return Edge.Runtime.FloatBits.ToFloat(bits);
        }

        /// <summary>Writes a little-endian IEEE-754 binary32 value (via Edge.Runtime.FloatBits, arithmetic only).</summary>
        public static void WriteFloat(byte[] data, int offset, float value)
        {
            int bits = Edge.Runtime.FloatBits.ToBits(value);
            data[offset] = (byte)bits;
            data[offset + 1] = (byte)(bits >> 8);
            data[offset + 2] = (byte)(bits >> 16);
            data[offset + 3] = (byte)(bits >> 24);
        }
    }
}
