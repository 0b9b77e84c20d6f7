using Edge.Runtime;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// CONV_2D, int8 activations, int8 per-channel weights, int32 (folded) bias.
    ///
    /// Contract: for every output position (b, oy, ox) and output channel oc, with
    ///   group = oc / (outDepth / (inDepth / filterInDepth)),
    ///   acc = foldedBias[oc] + Σ_{ky, kx, ic} x'(b, oy·strideH − padTop + dilationH·ky,
    ///                                          ox·strideW − padLeft + dilationW·kx, group·filterInDepth + ic)
    ///                             · filter[oc, ky, kx, ic]
    /// where x' is the input value, or <c>inputZeroPoint</c> when the tap falls outside the image (padding);
    ///   out = clamp(MultiplyByQuantizedMultiplier(acc, outMultiplier[oc], outShift[oc]) + outputZeroPoint,
    ///               actMin, actMax).
    /// With foldedBias[oc] = bias[oc] − inputZeroPoint · Σ_{all taps} filter[oc, tap] (QuantMath.FoldBiasOutputChannelOuter)
    /// this is, in wrapping int32 arithmetic, exactly TFLite's acc = bias[oc] + Σ_{inside taps} (x − inputZeroPoint) · w:
    /// the outside taps contribute inputZeroPoint · w here and are subtracted again by the fold.
    ///
    /// Matches tflite::reference_integer_ops::ConvPerChannel (int8 overload, including grouped convolution),
    /// ported from tensorflow/lite/kernels/internal/reference/integer_ops/conv.h (TFLM 90b983c2).
    /// Layouts: input NHWC [batches, inH, inW, inDepth]; filter [outDepth, filterH, filterW, filterInDepth];
    /// output NHWC [batches, outH, outW, outDepth]. The caller validates shapes; nothing is allocated or thrown.
    /// </summary>
    public static class Conv2D
    {
        public static void Eval(
            byte[] input, int inputOffset, int batches, int inH, int inW, int inDepth,
            byte[] filter, int filterOffset, int outDepth, int filterH, int filterW, int filterInDepth,
            int[] foldedBias, int[] outMultiplier, int[] outShift,
            byte[] output, int outputOffset, int outH, int outW,
            int strideH, int strideW, int dilationH, int dilationW, int padTop, int padLeft,
            int inputZeroPoint, int outputZeroPoint, int actMin, int actMax)
        {
            int groups = inDepth / filterInDepth;
            int filtersPerGroup = outDepth / groups;
            int filterChannelStride = filterH * filterW * filterInDepth;
            int o = outputOffset;
            for (int b = 0; b < batches; b++)
            {
                int inBatch = inputOffset + b * inH * inW * inDepth;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * strideH - padTop;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * strideW - padLeft;
                        for (int oc = 0; oc < outDepth; oc++)
                        {
                            int group = oc / filtersPerGroup;
                            int inChannelBase = group * filterInDepth;
                            int f = filterOffset + oc * filterChannelStride;
                            int acc = foldedBias[oc];
                            for (int ky = 0; ky < filterH; ky++)
                            {
                                int inY = inYOrigin + dilationH * ky;
                                bool rowInside = inY >= 0 && inY < inH;
                                for (int kx = 0; kx < filterW; kx++)
                                {
                                    int inX = inXOrigin + dilationW * kx;
                                    if (rowInside && inX >= 0 && inX < inW)
                                    {
                                        int p = inBatch + (inY * inW + inX) * inDepth + inChannelBase;
                                        for (int ic = 0; ic < filterInDepth; ic++)
                                        {
                                            acc = unchecked(acc + (sbyte)input[p + ic] * (sbyte)filter[f + ic]);
                                        }
                                    }
                                    else
                                    {
                                        for (int ic = 0; ic < filterInDepth; ic++)
                                        {
                                            acc = unchecked(acc + inputZeroPoint * (sbyte)filter[f + ic]);
                                        }
                                    }
                                    f += filterInDepth;
                                }
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
    }
}
