namespace Edge.Kernels.Reference
{
    /// <summary>
    /// MAX_POOL_2D, int8 (input and output share quantization).
    ///
    /// Contract: for each output (b, oy, ox, c): m = max(−128, max of x over the window clipped to the image)
    /// (padding taps are skipped); out = min(max(m, actMin), actMax). An empty window yields clamp(−128).
    ///
    /// Matches tflite::reference_integer_ops::MaxPool (int8), ported from
    /// tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h (TFLM 90b983c2).
    /// actMin/actMax must lie in [−128, 127]. Layout NHWC.
    /// </summary>
    public static class MaxPool2D
    {
        public static void Eval(
            byte[] input, int inputOffset, int batches, int inH, int inW, int depth,
            byte[] output, int outputOffset, int outH, int outW,
            int filterH, int filterW, int strideH, int strideW, int padTop, int padLeft,
            int actMin, int actMax)
        {
            Eval(input, inputOffset, batches, inH, inW, depth, output, outputOffset, outH, outW,
                filterH, filterW, strideH, strideW, padTop, padLeft, actMin, actMax, false);
        }

        /// <summary>As above; <paramref name="unsigned"/> reads uint8 elements (ONNX uint8 MaxPool, format 1.2): the
        /// running max starts at 0 and the clamp range is within [0, 255].</summary>
        public static void Eval(
            byte[] input, int inputOffset, int batches, int inH, int inW, int depth,
            byte[] output, int outputOffset, int outH, int outW,
            int filterH, int filterW, int strideH, int strideW, int padTop, int padLeft,
            int actMin, int actMax, bool unsigned)
        {
            for (int b = 0; b < batches; b++)
            {
                int inBatch = inputOffset + b * inH * inW * depth;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * strideH - padTop;
                    int fyStart = inYOrigin < 0 ? -inYOrigin : 0;
                    int fyEnd = inH - inYOrigin < filterH ? inH - inYOrigin : filterH;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * strideW - padLeft;
                        int fxStart = inXOrigin < 0 ? -inXOrigin : 0;
                        int fxEnd = inW - inXOrigin < filterW ? inW - inXOrigin : filterW;
                        int outPixel = outputOffset + ((b * outH + oy) * outW + ox) * depth;
                        for (int c = 0; c < depth; c++)
                        {
                            int max = unsigned ? 0 : -128;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = inBatch + (inYOrigin + fy) * inW * depth;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    int v = unsigned ? (int)input[rowBase + (inXOrigin + fx) * depth + c] : (int)(sbyte)input[rowBase + (inXOrigin + fx) * depth + c];
                                    if (v > max) max = v;
                                }
                            }
                            if (max < actMin) max = actMin;
                            if (max > actMax) max = actMax;
                            output[outPixel + c] = (byte)max;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// float32 MAX_POOL_2D (format 1.2, edge convert --dynamic; ONNX MaxPool): the largest element of the window
        /// clipped to the image (padding taps skipped), no clamp; an empty window yields −infinity.
        /// </summary>
        public static void EvalFloat(
            byte[] input, int inputOffset, int batches, int inH, int inW, int depth,
            byte[] output, int outputOffset, int outH, int outW,
            int filterH, int filterW, int strideH, int strideW, int padTop, int padLeft)
        {
            for (int b = 0; b < batches; b++)
            {
                int inBatch = b * inH * inW * depth;
                for (int oy = 0; oy < outH; oy++)
                {
                    int inYOrigin = oy * strideH - padTop;
                    int fyStart = inYOrigin < 0 ? -inYOrigin : 0;
                    int fyEnd = inH - inYOrigin < filterH ? inH - inYOrigin : filterH;
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int inXOrigin = ox * strideW - padLeft;
                        int fxStart = inXOrigin < 0 ? -inXOrigin : 0;
                        int fxEnd = inW - inXOrigin < filterW ? inW - inXOrigin : filterW;
                        int outPixel = ((b * outH + oy) * outW + ox) * depth;
                        for (int c = 0; c < depth; c++)
                        {
                            float max = float.NegativeInfinity;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = inBatch + (inYOrigin + fy) * inW * depth;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    float v = QuantRounding.ReadFloat(input, inputOffset + 4 * (rowBase + (inXOrigin + fx) * depth + c));
                                    if (v > max) max = v;
                                }
                            }
                            QuantRounding.WriteFloat(output, outputOffset + 4 * (outPixel + c), max);
                        }
                    }
                }
            }
        }
    }
}
