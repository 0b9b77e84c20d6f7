using System;
using Edge.Runtime;

namespace Edge.Esp32
{
    /// <summary>
    /// Float ↔ int8 conversion with a tensor's scale and zero point, the way TFLite quantizes model inputs:
    /// q = clamp(round_half_away_from_zero(float32(x) / float32(scale)) + zero_point, -128, 127).
    /// </summary>
    public static class Quantizer
    {
        /// <summary>Quantizes one value to int8 (returned as int in -128..127).</summary>
        public static int QuantizeInt8(float x, float scale, int zeroPoint)
        {
            if (!(scale > 0)) throw new ArgumentException("quantization scale must be positive");
            float q = x / scale;                       // float32 division, as TFLite does
            if (float.IsNaN(q)) return Clamp(zeroPoint); // NaN input: the zero point (0.0)
            // The float32 quotient converted to double is exact, and so is adding 0.5: Floor gives an exact
            // round-half-away-from-zero (a float32 add of 0.5 would round 0.49999997f up to 1).
            double d = q;
            double r = d >= 0 ? Math.Floor(d + 0.5) : -Math.Floor(-d + 0.5);
            r += zeroPoint;
            if (r < -128) return -128;
            if (r > 127) return 127;
            return (int)r;
        }

        /// <summary>(q − zero_point) × scale.</summary>
        public static float Dequantize(int q, float scale, int zeroPoint)
        {
            return (q - zeroPoint) * scale;
        }

        /// <summary>
        /// Quantizes <paramref name="count"/> values into int8 bytes at destination[destinationOffset..], with
        /// <paramref name="tensor"/>'s per-tensor scale and zero point. Allocates nothing.
        /// </summary>
        public static void QuantizeInto(float[] values, int count, TensorInfo tensor, byte[] destination, int destinationOffset)
        {
            if (tensor.Type != DType.Int8) throw new ArgumentException(string.Concat("input tensor is ", TensorInfo.DTypeName(tensor.Type), "; the window quantizer writes int8"));
            if (tensor.IsPerChannel) throw new ArgumentException("input tensor is per-channel quantized; expected one scale");
            if (count > tensor.ElementCount) throw new ArgumentException("more values than the tensor holds");
            float scale = tensor.Scale;
            int zp = tensor.ZeroPoint;
            for (int i = 0; i < count; i++)
                destination[destinationOffset + i] = (byte)(sbyte)QuantizeInt8(values[i], scale, zp);
        }

        private static int Clamp(int v)
        {
            return v < -128 ? -128 : (v > 127 ? 127 : v);
        }
    }
}
