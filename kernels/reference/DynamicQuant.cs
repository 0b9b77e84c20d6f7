namespace Edge.Kernels.Reference
{
    /// <summary>
    /// Dynamic quantization (format 1.2, edge convert --dynamic): DYNAMIC_CONV_2D and DYNAMIC_FULLY_CONNECTED.
    ///
    /// Contract, per inference:
    ///  1. <see cref="Quantize"/> is ONNX DynamicQuantizeLinear (uint8): min = min(0, min x), max = max(0, max x),
    ///     x_scale = float32(max − min) / 255 (ONNX Runtime uses 1 when max = min, i.e. an all-zero input, where
    ///     the definition would divide by zero; every q is then 0 = x_zero_point, so the scale does not reach the output), x_zero_point = round_half_even(clamp(0 − min / x_scale, 0, 255)),
    ///     q = clamp(round_half_even(x / x_scale) + x_zero_point, 0, 255). Every operation in float32. The input
    ///     must be finite.
    ///  2. acc = Σ (q − x_zero_point) · w in int32 (ONNX ConvInteger / MatMulInteger with a zero weight zero
    ///     point; a padding tap contributes 0, as padding with x_zero_point does).
    ///  3. y = clamp(float32(acc) · float32(x_scale · w_scale[c]) + bias[c], actMin, actMax): ONNX Runtime's dynamic
    ///     quantization graph (…Integer → Cast → Mul by the product of the scales → Add bias → Relu/Clip).
    /// Layouts: NHWC activations, OHWI conv weights [O, kH, kW, C/group], fully connected weights [N, K].
    /// </summary>
    public static class DynamicQuant
    {
        /// <summary>Step 1 over <paramref name="count"/> floats; writes the uint8 q and returns x_scale (zero point in <paramref name="zeroPoint"/>[0]).</summary>
        public static float Quantize(byte[] input, int inputOffset, int count, byte[] output, int outputOffset, int[] zeroPoint)
        {
            float min = 0f, max = 0f;
            for (int i = 0; i < count; i++)
            {
                float x = QuantRounding.ReadFloat(input, inputOffset + 4 * i);
                if (x < min) min = x;
                if (x > max) max = x;
            }
            float scale = max == min ? 1f : (float)((float)(max - min) / 255f);
            float initialZp = (float)(0f - (float)(min / scale));
            if (initialZp < 0f) initialZp = 0f;
            if (initialZp > 255f) initialZp = 255f;
            int zp = OrtRequant.RoundHalfEven(initialZp);
            zeroPoint[0] = zp;
            for (int i = 0; i < count; i++)
            {
                float x = QuantRounding.ReadFloat(input, inputOffset + 4 * i);
                output[outputOffset + i] = (byte)OrtRequant.QuantizeLinear(x, scale, zp, 0, 255);
            }
            return scale;
        }

        /// <summary>Step 3 for one output element.</summary>
        public static float Output(int acc, float xScale, float wScale, bool hasBias, float bias, float actMin, float actMax)
        {
            float y = (float)((float)acc * (float)(xScale * wScale));
            if (hasBias) y = (float)(y + bias);
            if (y < actMin) y = actMin;
            if (y > actMax) y = actMax;
            return y;
        }

        /// <summary>Steps 2–3 of DYNAMIC_CONV_2D on the quantized NHWC input q (uint8, in <paramref name="q"/>).</summary>
        public static void Conv2D(
            byte[] q, int qOffset, int zp, float xScale, int batches, int inH, int inW, int inC,
            byte[] weights, int wOffset, int outC, int kH, int kW, int group, float[] wScale,
            byte[] bias, int biasOffset,
            int strideH, int strideW, int dilH, int dilW, int padTop, int padLeft,
            byte[] output, int outputOffset, int outH, int outW, float actMin, float actMax)
        {
            int ipg = inC / group, opg = outC / group;
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int outPixel = ((b * outH + oy) * outW + ox) * outC;
                        for (int oc = 0; oc < outC; oc++)
                        {
                            int g = oc / opg;
                            int acc = 0;
                            for (int ky = 0; ky < kH; ky++)
                            {
                                int iy = oy * strideH - padTop + ky * dilH;
                                if (iy < 0 || iy >= inH) continue;
                                for (int kx = 0; kx < kW; kx++)
                                {
                                    int ix = ox * strideW - padLeft + kx * dilW;
                                    if (ix < 0 || ix >= inW) continue;
                                    int xBase = qOffset + ((b * inH + iy) * inW + ix) * inC + g * ipg;
                                    int wBase = wOffset + ((oc * kH + ky) * kW + kx) * ipg;
                                    for (int ic = 0; ic < ipg; ic++)
                                        acc += ((int)q[xBase + ic] - zp) * (int)(sbyte)weights[wBase + ic];
                                }
                            }
                            float y = Output(acc, xScale, wScale[wScale.Length == 1 ? 0 : oc], bias != null,
                                bias == null ? 0f : QuantRounding.ReadFloat(bias, biasOffset + 4 * oc), actMin, actMax);
                            QuantRounding.WriteFloat(output, outputOffset + 4 * (outPixel + oc), y);
                        }
                    }
        }

        /// <summary>Steps 2–3 of DYNAMIC_FULLY_CONNECTED: q [rows, K] (uint8), weights [N, K] (int8), y [rows, N].</summary>
        public static void FullyConnected(
            byte[] q, int qOffset, int zp, float xScale, int rows, int k,
            byte[] weights, int wOffset, int n, float[] wScale, byte[] bias, int biasOffset,
            byte[] output, int outputOffset, float actMin, float actMax)
        {
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < n; c++)
                {
                    int acc = 0;
                    int xBase = qOffset + r * k, wBase = wOffset + c * k;
                    for (int i = 0; i < k; i++)
                        acc += ((int)q[xBase + i] - zp) * (int)(sbyte)weights[wBase + i];
                    float y = Output(acc, xScale, wScale[wScale.Length == 1 ? 0 : c], bias != null,
                        bias == null ? 0f : QuantRounding.ReadFloat(bias, biasOffset + 4 * c), actMin, actMax);
                    QuantRounding.WriteFloat(output, outputOffset + 4 * (r * n + c), y);
                }
        }
    }
}
