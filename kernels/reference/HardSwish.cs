using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// HARD_SWISH, int8 in -&gt; int8 out.
    ///
    /// Contract: out ~= quantize_out(x * relu6(x + 3) / 6) for x = dequantize_in(q), bit-exact with TFLite Micro:
    /// tflite::reference_ops::HardSwish&lt;int8_t&gt;(const HardSwishParams&amp;, ...) in
    /// tensorflow/lite/kernels/internal/reference/hard_swish.h (ported from it, including every int16_t
    /// truncation of the C++: the input is moved to a "hires" int16 scale (x128), multiplied by a "reluish"
    /// int16 fixed-point factor in [0, 1] and by the int16 output multiplier, then rounded right by
    /// -outputMultiplierExponent). Constants come from Edge.Converter.Quantization.NonlinearParams.HardSwish
    /// (TFLM hard_swish_common.cc HardSwishPrepare).
    ///
    /// Parameters: the two *FixedpointInt16 values are int16 Q0.15 multipliers (passed as int, only the low 16 bits
    /// are used as the C++ stores them in int16_t); outputMultiplierExponent is in [-31, 0],
    /// reluishMultiplierExponent in [-31, 30].
    ///
    /// Data: size int8 values at (input, inputOffset) -&gt; (output, outputOffset); in place is safe.
    /// Allocates nothing, throws nothing.
    /// </summary>
    public static class HardSwish
    {
        public static void Eval(byte[] input, int inputOffset, byte[] output, int outputOffset, int size,
                                int inputZeroPoint, int outputZeroPoint,
                                int reluishMultiplierFixedpointInt16, int reluishMultiplierExponent,
                                int outputMultiplierFixedpointInt16, int outputMultiplierExponent)
        {
            short reluishMultiplier = (short)reluishMultiplierFixedpointInt16;
            short outputMultiplier = (short)outputMultiplierFixedpointInt16;
            for (int i = 0; i < size; i++)
            {
                short inputValue = (short)((sbyte)input[inputOffset + i] - inputZeroPoint);
                // Left-shift as much as possible without overflow: 255 * 128 still fits in int16.
                short inputValueOnHiresInputScale = (short)(inputValue * (1 << 7));
                // The input on the output scale, not yet right-shifted (used as is for x >= 3).
                short inputValueOnPreshiftOutputScale = FixedPointExtra.SaturatingRoundingDoublingHighMul16(
                    inputValueOnHiresInputScale, outputMultiplier);

                // The "relu-ish" multiplier: x rescaled so that 3.0 maps to 32768, saturating, then mapped from
                // [-1, 1] to [0, 1].
                short reluishValue = inputValueOnHiresInputScale;
                if (reluishMultiplierExponent > 0)
                    reluishValue = FixedPointExtra.SaturatingLeftShift16(reluishValue, reluishMultiplierExponent - 1);
                reluishValue = FixedPointExtra.SaturatingRoundingDoublingHighMul16(reluishValue, reluishMultiplier);
                if (reluishMultiplierExponent > 0)
                    reluishValue = FixedPointExtra.SaturatingLeftShift16(reluishValue, 1);
                if (reluishMultiplierExponent < 0)
                    reluishValue = FixedPointExtra.RoundingDivideByPOT16(reluishValue, -reluishMultiplierExponent);
                reluishValue = (short)((reluishValue + (1 << 15)) >> 1);

                short preshiftOutputValue = FixedPointExtra.SaturatingDoublingHighMul16(
                    reluishValue, inputValueOnPreshiftOutputScale);
                short outputValue = FixedPointExtra.RoundingDivideByPOT16(preshiftOutputValue, -outputMultiplierExponent);
                outputValue = (short)(outputValue + outputZeroPoint);
                if (outputValue > 127) outputValue = 127;
                if (outputValue < -128) outputValue = -128;
                output[outputOffset + i] = (byte)outputValue;
            }
        }
    }
}
