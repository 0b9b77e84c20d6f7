using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// DEPTHWISE_CONV_2D, int8 activations, int8 per-channel weights, int32 (folded) bias, any depth multiplier
    /// and dilation.
    ///
    /// Contract: outDepth = inDepth · depthMultiplier; for output channel oc = ic · depthMultiplier + m,
    ///   acc = foldedBias[oc] + Σ_{ky, kx} x'(b, oy·strideH − padTop + dilationH·ky,
    ///                                        ox·strideW − padLeft + dilationW·kx, ic) · filter[0, ky, kx, oc]
    /// where x' is the input value, or <c>inputZeroPoint</c> when the tap falls outside the image;
    ///   out = clamp(MultiplyByQuantizedMultiplier(acc, outMultiplier[oc], outShift[oc]) + outputZeroPoint,
    ///               actMin, actMax).
    /// With foldedBias[oc] = bias[oc] − inputZeroPoint · Σ_{ky,kx} filter[0, ky, kx, oc] (QuantMath.FoldBiasDepthwise)
    /// this equals, in wrapping int32 arithmetic, TFLite's acc = bias[oc] + Σ_{inside taps} (x − inputZeroPoint) · w.
    ///
    /// Matches tflite::reference_integer_ops::DepthwiseConvPerChannel (int8 overload), ported from
    /// tensorflow/lite/kernels/internal/reference/integer_ops/depthwise_conv.h (TFLM 90b983c2).
    /// Layouts: input NHWC; filter [1, filterH, filterW, outDepth]; output NHWC [batches, outH, outW, outDepth].
    /// </summary>
    public static class DepthwiseConv2D
    {
        public static void Eval(
            byte[] input, int inputOffset, int batches, int inH, int inW, int inDepth,
            byte[] filter, int filterOffset, int filterH, int filterW, int depthMultiplier,
            int[] foldedBias, int[] outMultiplier, int[] outShift,
            byte[] output, int outputOffset, int outH, int outW,
            int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft,
            int inputZeroPoint, int outputZeroPoint, int actMin, int actMax)
        {
            int outDepth = inDepth * depthMultiplier;
            for (int b = 0; b < batches; b++)
            {
                int inBatch = inputOffset + b * inH * inW * inDepth;
                int outBatch = outputOffset + b * outH * outW * outDepth;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * strideH - padTop;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * strideW - padLeft;
                        int outPixel = outBatch + (oy * outW + ox) * outDepth;
                        for (int ic = 0; ic < inDepth; ic++)
                        {
                            for (int m = 0; m < depthMultiplier; m++)
                            {
                                int oc = m + ic * depthMultiplier;
                                int acc = foldedBias[oc];
                                for (int ky = 0; ky < filterH; ky++)
                                {
                                    int inY = inYOrigin + dilationH * ky;
                                    bool rowInside = inY >= 0 && inY < inH;
                                    for (int kx = 0; kx < filterW; kx++)
                                    {
                                        int inX = inXOrigin + dilationW * kx;
                                        int w = (sbyte)filter[filterOffset + (ky * filterW + kx) * outDepth + oc];
                                        int x;
                                        if (rowInside && inX >= 0 && inX < inW)
                                            x = (sbyte)input[inBatch + (inY * inW + inX) * inDepth + ic];
                                        else
                                            x = inputZeroPoint;
                                        acc = unchecked(acc + x * w);
                                    }
                                }
                                int v = FixedPoint.MultiplyByQuantizedMultiplier(acc, outMultiplier[oc], outShift[oc]);
                                v = unchecked(v + outputZeroPoint);
                                if (v < actMin) v = actMin;
                                if (v > actMax) v = actMax;
                                output[outPixel + oc] = (byte)v;
                            }
                        }
                    }
                }
            }
        }
    }
}
