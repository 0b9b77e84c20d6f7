namespace Edge.Kernels.Reference
{
    /// <summary>
    /// AVERAGE_POOL_2D, int8 (input and output share quantization).
    ///
    /// Contract: for each output (b, oy, ox, c), the window rows/cols are clipped to the image
    /// (padding taps are skipped, not counted); with sum = Σ x over the clipped window and count its size,
    ///   avg = sum &gt; 0 ? (sum + count / 2) / count : (sum − count / 2) / count   (C integer division, truncating)
    ///   out = clamp(avg, actMin, actMax).
    /// Returns false (output partially written) if some window is empty (count == 0), which TFLite reports as an
    /// error; the caller's shape validation should make that impossible.
    ///
    /// Matches tflite::reference_integer_ops::AveragePool (int8), ported from
    /// tensorflow/lite/kernels/internal/reference/integer_ops/pooling.h (TFLM 90b983c2).
    /// Layout NHWC; input [batches, inH, inW, depth], output [batches, outH, outW, depth].
    /// </summary>
    public static class AveragePool2D
    {
        public static bool Eval(
            byte[] input, int inputOffset, int batches, int inH, int inW, int depth,
            byte[] output, int outputOffset, int outH, int outW,
            int filterH, int filterW, int strideH, int strideW, int padTop, int padLeft,
            int actMin, int actMax)
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
                            int acc = 0;
                            int count = 0;
                            for (int fy = fyStart; fy < fyEnd; fy++)
                            {
                                int rowBase = inBatch + (inYOrigin + fy) * inW * depth;
                                for (int fx = fxStart; fx < fxEnd; fx++)
                                {
                                    acc += (sbyte)input[rowBase + (inXOrigin + fx) * depth + c];
                                    count++;
                                }
                            }
                            if (count == 0) return false;
                            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                            if (acc < actMin) acc = actMin;
                            if (acc > actMax) acc = actMax;
                            output[outPixel + c] = (byte)acc;
                        }
                    }
                }
            }
            return true;
        }
    }
}
