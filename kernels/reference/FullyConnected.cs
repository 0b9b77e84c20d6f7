using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// FULLY_CONNECTED, int8 activations, int8 weights (zero point 0), int32 (folded) bias. The input is taken as
    /// [batches, inDepth] (any input shape whose element count is batches · inDepth, row-major).
    ///
    /// Contract: for every batch b and output unit oc,
    ///   acc = foldedBias[oc] + Σ_d x[b, d] · w[oc, d]
    ///   out[b, oc] = clamp(MultiplyByQuantizedMultiplier(acc, outMultiplier[oc], outShift[oc]) + outputZeroPoint,
    ///                      actMin, actMax).
    /// With foldedBias[oc] = bias[oc] − inputZeroPoint · Σ_d w[oc, d] (QuantMath.FoldBiasOutputChannelOuter) this
    /// equals, in wrapping int32 arithmetic, TFLite's acc = bias[oc] + Σ_d (x − inputZeroPoint) · w (there is no
    /// padding, so every tap is inside; inputZeroPoint is taken for API symmetry and is not read).
    ///
    /// Matches tflite::reference_integer_ops::FullyConnectedPerChannel, and FullyConnected (per-tensor) when the
    /// per-tensor multiplier is replicated and the filter zero point is 0 (TFLM DCHECKs that for int8), ported from
    /// tensorflow/lite/kernels/internal/reference/integer_ops/fully_connected.h (TFLM 90b983c2).
    /// Layouts: weights [outDepth, inDepth]; output [batches, outDepth].
    /// </summary>
    public static class FullyConnected
    {
        public static void Eval(
            byte[] input, int inputOffset, int batches, int inDepth,
            byte[] filter, int filterOffset, int outDepth,
            int[] foldedBias, int[] outMultiplier, int[] outShift,
            byte[] output, int outputOffset,
            int inputZeroPoint, int outputZeroPoint, int actMin, int actMax)
        {
            int o = outputOffset;
            for (int b = 0; b < batches; b++)
            {
                int inRow = inputOffset + b * inDepth;
                for (int oc = 0; oc < outDepth; oc++)
                {
                    int f = filterOffset + oc * inDepth;
                    int acc = foldedBias[oc];
                    for (int d = 0; d < inDepth; d++)
                    {
                        acc = unchecked(acc + (sbyte)input[inRow + d] * (sbyte)filter[f + d]);
                    }
                    int v = FixedPoint.MultiplyByQuantizedMultiplier(acc, outMultiplier[oc], outShift[oc]);
                    v = unchecked(v + outputZeroPoint);
                    if (v < actMin) v = actMin;
                    if (v > actMax) v = actMax;
                    output[o++] = (byte)v;
                }
            }
        }
    }
}
