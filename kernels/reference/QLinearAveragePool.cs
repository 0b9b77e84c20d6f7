namespace Edge.Kernels.Reference
{
    /// <summary>
    /// QLINEAR_AVERAGE_POOL: ONNX Runtime's QLinearAveragePool (contrib_ops/cpu/quantization/qlinear_pool.cc) on
    /// NHWC. Per output (b, y, x, c): the window's in-image taps in row-major order, each dequantized as
    /// float32(xScale · (u − xZp)) with u = stored value + shift, summed with float32 additions, divided by count
    /// (the filter area when countIncludePad, else the in-image taps), then q = clamp(round_half_even(
    /// float32(float32(sum / yScale) + yZp)), 0, 255) − shift.
    /// </summary>
    public static class QLinearAveragePool
    {
        public static void Eval(
            byte[] input, int inputOffset, bool signed, int batches, int inH, int inW, int depth,
            byte[] output, int outputOffset, int outH, int outW,
            int filterH, int filterW, int strideH, int strideW, int padTop, int padLeft, bool countIncludePad,
            float xScale, int xZp, float yScale, int yZp, int shift)
        {
            for (int b = 0; b < batches; b++)
                for (int oy = 0; oy < outH; oy++)
                {
                    int hs = oy * strideH - padTop, he = hs + filterH;
                    if (he > inH) he = inH;
                    if (hs < 0) hs = 0;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int ws = ox * strideW - padLeft, we = ws + filterW;
                        if (we > inW) we = inW;
                        if (ws < 0) ws = 0;
                        int count = countIncludePad ? filterH * filterW : (he - hs) * (we - ws);
                        int o = outputOffset + ((b * outH + oy) * outW + ox) * depth;
                        for (int c = 0; c < depth; c++)
                        {
                            float sum = 0f;
                            for (int h = hs; h < he; h++)
                                for (int w = ws; w < we; w++)
                                {
                                    int p = inputOffset + ((b * inH + h) * inW + w) * depth + c;
                                    int u = (signed ? (int)(sbyte)input[p] : (int)input[p]) + shift;
                                    sum = (float)(sum + (float)(xScale * (float)(u - xZp)));
                                }
                            float avg = (float)(sum / (float)count);
                            float q = (float)((float)(avg / yScale) + (float)yZp);
                            int v = OrtRequant.CvtPs(q);
                            if (v < 0) v = 0;
                            if (v > 255) v = 255;
                            output[o + c] = (byte)(v - shift);
                        }
                    }
                }
        }
    }
}
