using System;

namespace Edge.Kernels.Reference
{
    /// <summary>
    /// CONCATENATION, int8, along one axis.
    ///
    /// Contract: with outer = Π outShape[0 .. axis) and inner = Π outShape(axis .. rank), for k in [0, outer) and
    /// for each input i in order, the block of inputAxisDims[i] · inner elements at k · inputAxisDims[i] · inner of
    /// input i is appended to the output (the output is written densely in row-major order).
    ///  - <see cref="Eval"/> copies bytes: tflite::reference_ops::Concatenation, which is what TFLM runs for int8
    ///    (micro/kernels/concatenation.cc, EvalUnquantized&lt;int8_t&gt;), whatever the quantization.
    ///  - <see cref="EvalWithScaling"/> rescales each input whose (scale, zero point) differs from the output's,
    ///    as tflite::reference_ops::ConcatenationWithScaling does (float math, ported from its uint8 form to int8):
    ///      inv = 1f / outScale; s = inScale_i · inv; bias = −inZp_i · s;
    ///      out = clamp((int32)TfLiteRound(x · s + bias) + outZp, −128, 127)
    ///    and copies the inputs whose quantization equals the output's.
    /// Ported from tensorflow/lite/kernels/internal/reference/concatenation.h (TFLM 90b983c2).
    /// </summary>
    public static class Concatenation
    {
        public static void Eval(
            int axis, int[] outShape,
            byte[][] inputs, int[] inputOffsets, int[] inputAxisDims,
            byte[] output, int outputOffset)
        {
            Eval(axis, outShape, inputs, inputOffsets, inputAxisDims, output, outputOffset, 1);
        }

        /// <summary>The same copy for elements of <paramref name="elementSize"/> bytes (int32: 4, TFLM's EvalUnquantized&lt;int32_t&gt;).</summary>
        public static void Eval(
            int axis, int[] outShape,
            byte[][] inputs, int[] inputOffsets, int[] inputAxisDims,
            byte[] output, int outputOffset, int elementSize)
        {
            int outer = 1;
            for (int i = 0; i < axis; i++) outer *= outShape[i];
            int inner = elementSize;
            for (int i = axis + 1; i < outShape.Length; i++) inner *= outShape[i];
            int o = outputOffset;
            for (int k = 0; k < outer; k++)
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    int copy = inputAxisDims[i] * inner;
                    Array.Copy(inputs[i], inputOffsets[i] + k * copy, output, o, copy);
                    o += copy;
                }
            }
        }

        public static void EvalWithScaling(
            int axis, int[] outShape,
            byte[][] inputs, int[] inputOffsets, int[] inputAxisDims,
            float[] inputScales, int[] inputZeroPoints,
            byte[] output, int outputOffset, float outputScale, int outputZeroPoint)
        {
            int outer = 1;
            for (int i = 0; i < axis; i++) outer *= outShape[i];
            int inner = 1;
            for (int i = axis + 1; i < outShape.Length; i++) inner *= outShape[i];
            float inverseOutputScale = (float)(1.0f / outputScale);
            int o = outputOffset;
            for (int k = 0; k < outer; k++)
            {
                for (int i = 0; i < inputs.Length; i++)
                {
                    int copy = inputAxisDims[i] * inner;
                    byte[] src = inputs[i];
                    int s = inputOffsets[i] + k * copy;
                    if (inputZeroPoints[i] == outputZeroPoint && inputScales[i] == outputScale)
                    {
                        Array.Copy(src, s, output, o, copy);
                    }
                    else
                    {
                        float scale = (float)(inputScales[i] * inverseOutputScale);
                        float bias = (float)((float)(-inputZeroPoints[i]) * scale);
                        for (int j = 0; j < copy; j++)
                        {
                            float product = (float)((float)(sbyte)src[s + j] * scale);
                            float sum = (float)(product + bias);
                            int v = QuantRounding.AddAndClampInt8(QuantRounding.RoundToInt32(sum), outputZeroPoint);
                            output[o + j] = (byte)v;
                        }
                    }
                    o += copy;
                }
            }
        }
    }
}
