using System;

namespace Edge.SampleGen
{
    /// <summary>Asymmetric per-tensor int8 parameters: real = scale · (q − zeroPoint).</summary>
    public readonly record struct QuantParams(float Scale, int ZeroPoint)
    {
        /// <summary>q = clamp(round(x / scale) + zeroPoint, −128, 127), rounding half away from zero (TFLite's Quantize).</summary>
        public sbyte Quantize(double x)
        {
            double q = Math.Round(x / Scale, MidpointRounding.AwayFromZero) + ZeroPoint;
            return (sbyte)Math.Clamp(q, -128, 127);
        }

        public double Dequantize(sbyte q) => (double)Scale * (q - ZeroPoint);
    }

    /// <summary>One quantized FULLY_CONNECTED layer in TFLite's layout.</summary>
    public sealed class QuantizedDense
    {
        public string Name { get; init; }
        public int Units { get; init; }
        public int Depth { get; init; }
        /// <summary>[units, depth] row-major, int8 symmetric per output channel.</summary>
        public sbyte[] Weights { get; init; }
        public float[] WeightScales { get; init; }
        /// <summary>int32, scale inputScale · weightScale[c], zero point 0.</summary>
        public int[] Bias { get; init; }
        public float[] BiasScales { get; init; }
        public bool Relu { get; init; }
        public QuantParams Output { get; init; }
        /// <summary>Calibrated float range of the layer's output (before widening to include 0).</summary>
        public float CalibrationMin { get; init; }
        public float CalibrationMax { get; init; }
    }

    public sealed class QuantizedMlp
    {
        public QuantParams Input { get; init; }
        public float InputCalibrationMin { get; init; }
        public float InputCalibrationMax { get; init; }
        public QuantizedDense[] Layers { get; init; }
        public QuantParams Output => Layers[^1].Output;
    }

    /// <summary>
    /// Full-integer post-training quantization as the TFLite converter does it for FULLY_CONNECTED models:
    /// the float model is float32 (weights are rounded from the trained doubles), activations are calibrated
    /// by running the float32 model over a representative data set, then
    /// <list type="bullet">
    /// <item>weights: int8, symmetric, per output channel (quantized_dimension 0): scale = max|w| / 127, zero point 0, q ∈ [−127, 127];</item>
    /// <item>bias: int32, scale = input_scale · weight_scale[c], zero point 0;</item>
    /// <item>activations (input, hidden, output): int8, asymmetric, per tensor, from the calibrated [min, max]
    /// widened to contain 0: scale = (max − min) / 255, zero_point = round(−128 − min / scale) clamped to [−128, 127].</item>
    /// </list>
    /// Rounding is half away from zero everywhere (std::round, as TFLite uses).
    /// </summary>
    public static class PostTrainingQuantizer
    {
        public static QuantizedMlp Quantize(SineMlp net, double[] calibrationInputs)
        {
            const int H = SineMlp.Hidden;
            float[] w1 = ToFloat(net.W1), b1 = ToFloat(net.B1), w2 = ToFloat(net.W2), b2 = ToFloat(net.B2), w3 = ToFloat(net.W3), b3 = ToFloat(net.B3);

            // Calibration: float32 inference, min/max of every activation tensor (ReLU outputs for the hidden layers).
            float inMin = float.MaxValue, inMax = float.MinValue;
            var mins = new[] { float.MaxValue, float.MaxValue, float.MaxValue };
            var maxs = new[] { float.MinValue, float.MinValue, float.MinValue };
            var x = new float[1];
            foreach (double xd in calibrationInputs)
            {
                x[0] = (float)xd;
                inMin = Math.Min(inMin, x[0]); inMax = Math.Max(inMax, x[0]);
                float[] a1 = DenseF(x, w1, b1, H, 1, relu: true);
                float[] a2 = DenseF(a1, w2, b2, H, H, relu: true);
                float[] y = DenseF(a2, w3, b3, 1, H, relu: false);
                Track(a1, 0); Track(a2, 1); Track(y, 2);
            }
            void Track(float[] a, int l) { foreach (float v in a) { mins[l] = Math.Min(mins[l], v); maxs[l] = Math.Max(maxs[l], v); } }

            QuantParams input = Asymmetric(inMin, inMax);
            var q1 = QuantizeDense("dense_1", w1, b1, H, 1, input.Scale, relu: true, Asymmetric(mins[0], maxs[0]), mins[0], maxs[0]);
            var q2 = QuantizeDense("dense_2", w2, b2, H, H, q1.Output.Scale, relu: true, Asymmetric(mins[1], maxs[1]), mins[1], maxs[1]);
            var q3 = QuantizeDense("dense_3", w3, b3, 1, H, q2.Output.Scale, relu: false, Asymmetric(mins[2], maxs[2]), mins[2], maxs[2]);
            return new QuantizedMlp { Input = input, InputCalibrationMin = inMin, InputCalibrationMax = inMax, Layers = new[] { q1, q2, q3 } };
        }

        private static float[] ToFloat(double[] a) { var f = new float[a.Length]; for (int i = 0; i < a.Length; i++) f[i] = (float)a[i]; return f; }

        private static float[] DenseF(float[] x, float[] w, float[] b, int units, int depth, bool relu)
        {
            var y = new float[units];
            for (int j = 0; j < units; j++)
            {
                float a = b[j];
                for (int k = 0; k < depth; k++) a += w[j * depth + k] * x[k];
                y[j] = relu && a < 0 ? 0f : a;
            }
            return y;
        }

        /// <summary>Asymmetric int8 parameters for a calibrated range (TFLite's GetAsymmetricQuantizationParams).</summary>
        public static QuantParams Asymmetric(float min, float max)
        {
            const double qmin = -128, qmax = 127;
            double rmin = Math.Min(min, 0f), rmax = Math.Max(max, 0f);
            if (rmax == rmin) return new QuantParams(1f, 0); // degenerate all-zero tensor
            double scale = (rmax - rmin) / (qmax - qmin);
            double zeroPointFromMin = qmin - rmin / scale;
            int zp;
            if (zeroPointFromMin <= qmin) zp = (int)qmin;
            else if (zeroPointFromMin >= qmax) zp = (int)qmax;
            else zp = (int)Math.Round(zeroPointFromMin, MidpointRounding.AwayFromZero);
            return new QuantParams((float)scale, zp);
        }

        private static QuantizedDense QuantizeDense(string name, float[] w, float[] b, int units, int depth, float inputScale,
            bool relu, QuantParams output, float calMin, float calMax)
        {
            var qw = new sbyte[units * depth];
            var ws = new float[units];
            var qb = new int[units];
            var bs = new float[units];
            for (int c = 0; c < units; c++)
            {
                float maxAbs = 0f;
                for (int k = 0; k < depth; k++) maxAbs = Math.Max(maxAbs, Math.Abs(w[c * depth + k]));
                float scale = maxAbs > 0f ? maxAbs / 127f : 1f;
                ws[c] = scale;
                for (int k = 0; k < depth; k++)
                {
                    double q = Math.Round((double)w[c * depth + k] / scale, MidpointRounding.AwayFromZero);
                    qw[c * depth + k] = (sbyte)Math.Clamp(q, -127, 127);
                }
                float biasScale = inputScale * scale;
                bs[c] = biasScale;
                double qbias = Math.Round((double)b[c] / biasScale, MidpointRounding.AwayFromZero);
                qb[c] = (int)Math.Clamp(qbias, int.MinValue, int.MaxValue);
            }
            return new QuantizedDense
            {
                Name = name, Units = units, Depth = depth, Weights = qw, WeightScales = ws, Bias = qb, BiasScales = bs,
                Relu = relu, Output = output, CalibrationMin = calMin, CalibrationMax = calMax,
            };
        }
    }
}
