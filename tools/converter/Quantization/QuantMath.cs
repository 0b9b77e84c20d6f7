using System;

namespace Edge.Converter.Quantization
{
    /// <summary>TFLite's fused activation codes (schema ActivationFunctionType / TfLiteFusedActivation).</summary>
    public enum FusedActivation
    {
        None = 0,
        Relu = 1,
        ReluN1To1 = 2,
        Relu6 = 3,
        Tanh = 4,
        SignBit = 5,
    }

    /// <summary>A Q31 multiplier and a power-of-two exponent: real ≈ multiplier · 2^(shift − 31).</summary>
    public readonly record struct QuantizedMultiplier(int Multiplier, int Shift);

    /// <summary>Quantized clamp range of a fused activation, in the output's quantized domain.</summary>
    public readonly record struct ActivationRange(int Min, int Max);

    /// <summary>
    /// ADD / SUB constants, named like TFLM's OpDataAdd / OpDataSub and the .edge AddSubOptions table.
    /// Offsets follow TFLite: input offsets are −zero_point, the output offset is +zero_point.
    /// </summary>
    public sealed record AddSubParams(
        int LeftShift,
        int Input1Offset, int Input1Multiplier, int Input1Shift,
        int Input2Offset, int Input2Multiplier, int Input2Shift,
        int OutputOffset, int OutputMultiplier, int OutputShift,
        int ActMin, int ActMax);

    /// <summary>MUL constants (TFLM OpDataMul, .edge MulOptions). Input offsets −zp, output offset +zp.</summary>
    public sealed record MulParams(
        int Input1Offset, int Input2Offset, int OutputOffset,
        int OutputMultiplier, int OutputShift, int ActMin, int ActMax);

    /// <summary>
    /// Requantize-form constants (.edge RequantizeOptions): out = clamp(MBQM(x + InputOffset, M, S) + OutputOffset).
    /// Used by RELU, RELU6 and QUANTIZE int8 → int8. InputOffset = −input zero point.
    /// </summary>
    public sealed record RequantizeParams(
        int InputOffset, int OutputOffset, int OutputMultiplier, int OutputShift, int ActMin, int ActMax);

    /// <summary>LEAKY_RELU constants (TFLM LeakyReluOpData). InputOffset = −input zero point, OutputOffset = +output zp.</summary>
    public sealed record LeakyReluParams(
        int InputOffset, int OutputOffset,
        int OutputMultiplierIdentity, int OutputShiftIdentity,
        int OutputMultiplierAlpha, int OutputShiftAlpha);

    /// <summary>Per-output-channel requantization of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED.</summary>
    public sealed record ChannelMultipliers(int[] Multipliers, int[] Shifts);

    /// <summary>
    /// Host-side constant computation for the int8 reference kernels, mirroring TensorFlow Lite Micro's
    /// Prepare functions bit for bit (including where TFLM computes in float rather than double).
    /// Every function names the TFLM function it mirrors. Invalid inputs throw ArgumentException where the
    /// TFLM code would TFLITE_CHECK / TF_LITE_ENSURE-fail.
    /// </summary>
    public static class QuantMath
    {
        // ------------------------------------------------------------------------------------------------
        // tensorflow/lite/kernels/internal/quantization_util.cc
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Mirrors tflite::QuantizeMultiplier (double-rounding build, TFLITE_EMULATE_FLOAT off):
        /// q = frexp(d, &amp;shift); q_fixed = round_half_away(q · 2^31); if q_fixed == 2^31 { q_fixed /= 2; ++shift }
        /// if shift &lt; −31 { shift = 0; q_fixed = 0 }. Zero maps to (0, 0). Negative multipliers are allowed
        /// (they yield a negative Q31 value), as in TFLite.
        /// </summary>
        public static QuantizedMultiplier QuantizeMultiplier(double doubleMultiplier)
        {
            if (doubleMultiplier == 0.0) return new QuantizedMultiplier(0, 0);
            if (double.IsNaN(doubleMultiplier) || double.IsInfinity(doubleMultiplier))
                throw new ArgumentException("QuantizeMultiplier: multiplier is not finite: " + doubleMultiplier);
            double q = Frexp(doubleMultiplier, out int shift);
            long qFixed = (long)Math.Round(q * 2147483648.0, MidpointRounding.AwayFromZero);
            if (qFixed > (1L << 31)) throw new ArgumentException("QuantizeMultiplier: q_fixed > 2^31");
            if (qFixed == (1L << 31))
            {
                qFixed /= 2;
                ++shift;
            }
            if (qFixed > int.MaxValue) throw new ArgumentException("QuantizeMultiplier: q_fixed > INT32_MAX");
            if (shift < -31)
            {
                shift = 0;
                qFixed = 0;
            }
            return new QuantizedMultiplier((int)qFixed, shift);
        }

        /// <summary>Mirrors tflite::QuantizeMultiplierSmallerThanOneExp: requires 0 &lt; d &lt; 1; shift ≤ 0.</summary>
        public static QuantizedMultiplier QuantizeMultiplierSmallerThanOneExp(double doubleMultiplier)
        {
            if (!(doubleMultiplier < 1.0)) throw new ArgumentException("QuantizeMultiplierSmallerThanOneExp: multiplier >= 1: " + doubleMultiplier);
            if (!(doubleMultiplier > 0.0)) throw new ArgumentException("QuantizeMultiplierSmallerThanOneExp: multiplier <= 0: " + doubleMultiplier);
            QuantizedMultiplier r = QuantizeMultiplier(doubleMultiplier);
            if (r.Shift > 0) throw new ArgumentException("QuantizeMultiplierSmallerThanOneExp: shift > 0");
            return r;
        }

        /// <summary>Mirrors tflite::QuantizeMultiplierGreaterThanOne: requires d &gt; 1; shift ≥ 0.</summary>
        public static QuantizedMultiplier QuantizeMultiplierGreaterThanOne(double doubleMultiplier)
        {
            if (!(doubleMultiplier > 1.0)) throw new ArgumentException("QuantizeMultiplierGreaterThanOne: multiplier <= 1: " + doubleMultiplier);
            QuantizedMultiplier r = QuantizeMultiplier(doubleMultiplier);
            if (r.Shift < 0) throw new ArgumentException("QuantizeMultiplierGreaterThanOne: shift < 0");
            return r;
        }

        /// <summary>
        /// std::frexp: returns q with 0.5 ≤ |q| &lt; 1 and x = q · 2^exp, exactly (normals and subnormals).
        /// </summary>
        public static double Frexp(double x, out int exp)
        {
            if (x == 0.0 || double.IsNaN(x) || double.IsInfinity(x)) { exp = 0; return x; }
            long bits = BitConverter.DoubleToInt64Bits(x);
            int rawExp = (int)((bits >> 52) & 0x7FF);
            if (rawExp == 0)
            {
                // Subnormal: scale up by 2^64 (exact) and retry.
                double scaled = Frexp(x * 18446744073709551616.0, out int e2);
                exp = e2 - 64;
                return scaled;
            }
            exp = rawExp - 1022;
            long qBits = (bits & unchecked((long)0x800FFFFFFFFFFFFFUL)) | (1022L << 52);
            return BitConverter.Int64BitsToDouble(qBits);
        }

        // ------------------------------------------------------------------------------------------------
        // tensorflow/lite/kernels/kernel_util.cc (as vendored in TFLM)
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Mirrors tflite::CalculateActivationRangeQuantized → CalculateActivationRangeQuantizedImpl with the
        /// anonymous-namespace Quantize(scale, zero_point, f): tmp = TfLiteRound(f / scale) in float,
        /// q = zero_point + (int32)tmp. RELU: [max(qmin, q(0)), qmax]; RELU6: [max(qmin, q(0)), min(qmax, q(6))];
        /// RELU_N1_TO_1: [max(qmin, q(−1)), min(qmax, q(1))]; anything else: [qmin, qmax].
        /// qmin/qmax default to the int8 range.
        /// </summary>
        public static ActivationRange CalculateActivationRangeQuantized(
            FusedActivation activation, float outputScale, int outputZeroPoint, int qmin = -128, int qmax = 127)
        {
            switch (activation)
            {
                case FusedActivation.Relu:
                    return new ActivationRange(Math.Max(qmin, QuantizeForActivation(outputScale, outputZeroPoint, 0.0f)), qmax);
                case FusedActivation.Relu6:
                    return new ActivationRange(
                        Math.Max(qmin, QuantizeForActivation(outputScale, outputZeroPoint, 0.0f)),
                        Math.Min(qmax, QuantizeForActivation(outputScale, outputZeroPoint, 6.0f)));
                case FusedActivation.ReluN1To1:
                    return new ActivationRange(
                        Math.Max(qmin, QuantizeForActivation(outputScale, outputZeroPoint, -1.0f)),
                        Math.Min(qmax, QuantizeForActivation(outputScale, outputZeroPoint, 1.0f)));
                default:
                    return new ActivationRange(qmin, qmax);
            }
        }

        private static int QuantizeForActivation(float scale, int zeroPoint, float f)
        {
            float tmp = RoundHalfAwayFromZero((float)(f / scale));
            // TFLite's TF_LITE_ENSURE accepts tmp <= (float)INT32_MAX, i.e. 2^31, whose int32 conversion is then
            // undefined; we reject that one value too.
            if (!(tmp >= -2147483648.0f && tmp < 2147483648.0f))
                throw new ArgumentException("CalculateActivationRangeQuantized: activation bound overflows int32");
            return unchecked(zeroPoint + (int)tmp);
        }

        /// <summary>
        /// Mirrors tflite::PopulateConvolutionQuantizationParams (per-axis and per-tensor) as used by TFLM's
        /// CONV_2D and DEPTHWISE_CONV_2D Prepare: for each output channel c,
        /// effective = double(input_scale) · double(filter_scale[c or 0]) / double(output_scale), then
        /// QuantizeMultiplier. A single filter scale is broadcast to every channel.
        /// </summary>
        public static ChannelMultipliers PopulateConvolutionQuantizationParams(
            float inputScale, float[] filterScales, float outputScale, int numChannels)
        {
            if (filterScales == null || filterScales.Length == 0) throw new ArgumentException("filter has no scales");
            bool perChannel = filterScales.Length > 1;
            if (perChannel && filterScales.Length != numChannels)
                throw new ArgumentException("per-channel filter scale count " + filterScales.Length + " != channels " + numChannels);
            var m = new int[numChannels];
            var s = new int[numChannels];
            for (int i = 0; i < numChannels; i++)
            {
                float scale = perChannel ? filterScales[i] : filterScales[0];
                double effective = (double)inputScale * (double)scale / (double)outputScale;
                QuantizedMultiplier q = QuantizeMultiplier(effective);
                m[i] = q.Multiplier;
                s[i] = q.Shift;
            }
            return new ChannelMultipliers(m, s);
        }

        /// <summary>
        /// Mirrors TFLM CalculateOpDataFullyConnected (micro/kernels/fully_connected_common.cc): per-channel
        /// filters (more than one scale) use the PopulateConvolutionQuantizationParams formula in double; a
        /// per-tensor filter uses GetQuantizedConvolutionMultipler, whose product input_scale · filter_scale is
        /// taken in float before widening: double(float(in · filt)) / double(out). The per-tensor value is
        /// replicated to every output unit (the kernel has one per-channel path).
        /// </summary>
        public static ChannelMultipliers FullyConnectedMultipliers(
            float inputScale, float[] filterScales, float outputScale, int outputUnits)
        {
            if (filterScales == null || filterScales.Length == 0) throw new ArgumentException("filter has no scales");
            if (filterScales.Length > 1)
                return PopulateConvolutionQuantizationParams(inputScale, filterScales, outputScale, outputUnits);
            float product = (float)(inputScale * filterScales[0]);
            if (!(product >= 0)) throw new ArgumentException("input_product_scale < 0");
            double real = (double)product / (double)outputScale;
            QuantizedMultiplier q = QuantizeMultiplier(real);
            var m = new int[outputUnits];
            var s = new int[outputUnits];
            for (int i = 0; i < outputUnits; i++) { m[i] = q.Multiplier; s[i] = q.Shift; }
            return new ChannelMultipliers(m, s);
        }

        // ------------------------------------------------------------------------------------------------
        // Bias folding for CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (Edge-specific, see kernel contracts)
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// foldedBias[oc] = bias[oc] − inputZeroPoint · Σ_taps w[oc, tap], in wrapping int32, for filters whose
        /// OUTERMOST axis is the output channel: CONV_2D [outC, kH, kW, inC/groups] and FULLY_CONNECTED
        /// [outUnits, inDepth]. <paramref name="bias"/> may be null (no bias = 0). <paramref name="filter"/> holds
        /// int8 values as raw bytes. With this the reference kernels compute exactly TFLite's
        /// acc = bias + Σ_inside (x − zp) · w (see kernels/reference/Conv2D.cs).
        /// </summary>
        public static int[] FoldBiasOutputChannelOuter(byte[] filter, int outChannels, int[] bias, int inputZeroPoint)
        {
            if (filter.Length % outChannels != 0) throw new ArgumentException("filter size is not a multiple of the channel count");
            if (bias != null && bias.Length != outChannels) throw new ArgumentException("bias length != channel count");
            int taps = filter.Length / outChannels;
            var folded = new int[outChannels];
            for (int oc = 0; oc < outChannels; oc++)
            {
                int sum = 0;
                int baseIndex = oc * taps;
                for (int t = 0; t < taps; t++) sum = unchecked(sum + (sbyte)filter[baseIndex + t]);
                int b = bias == null ? 0 : bias[oc];
                folded[oc] = unchecked(b - inputZeroPoint * sum);
            }
            return folded;
        }

        /// <summary>
        /// As <see cref="FoldBiasOutputChannelOuter"/> for DEPTHWISE_CONV_2D, whose filter [1, kH, kW, outC] has
        /// the output channel as the INNERMOST axis (outC = inC · depthMultiplier).
        /// </summary>
        public static int[] FoldBiasDepthwise(byte[] filter, int outChannels, int[] bias, int inputZeroPoint)
        {
            if (filter.Length % outChannels != 0) throw new ArgumentException("filter size is not a multiple of the channel count");
            if (bias != null && bias.Length != outChannels) throw new ArgumentException("bias length != channel count");
            int taps = filter.Length / outChannels;
            var folded = new int[outChannels];
            for (int oc = 0; oc < outChannels; oc++)
            {
                int sum = 0;
                for (int t = 0; t < taps; t++) sum = unchecked(sum + (sbyte)filter[t * outChannels + oc]);
                int b = bias == null ? 0 : bias[oc];
                folded[oc] = unchecked(b - inputZeroPoint * sum);
            }
            return folded;
        }

        // ------------------------------------------------------------------------------------------------
        // Element-wise ops
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Mirrors TFLM CalculateOpDataAdd (micro/kernels/add_common.cc), int8 output: left_shift = 20,
        /// twice_max_input_scale = 2 · double(max(s1, s2)), real_input_i = double(s_i) / twice_max,
        /// real_output = twice_max / ((1 &lt;&lt; 20) · double(s_out)), each via QuantizeMultiplierSmallerThanOneExp
        /// (all in double), plus CalculateActivationRangeQuantized.
        /// </summary>
        public static AddSubParams AddParams(
            float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
            float outputScale, int outputZeroPoint, FusedActivation activation)
        {
            const int leftShift = 20;
            double twiceMaxInputScale = 2 * (double)Math.Max(input1Scale, input2Scale);
            double realInput1 = (double)input1Scale / twiceMaxInputScale;
            double realInput2 = (double)input2Scale / twiceMaxInputScale;
            double realOutput = twiceMaxInputScale / ((1 << leftShift) * (double)outputScale);
            QuantizedMultiplier m1 = QuantizeMultiplierSmallerThanOneExp(realInput1);
            QuantizedMultiplier m2 = QuantizeMultiplierSmallerThanOneExp(realInput2);
            QuantizedMultiplier mo = QuantizeMultiplierSmallerThanOneExp(realOutput);
            ActivationRange r = CalculateActivationRangeQuantized(activation, outputScale, outputZeroPoint);
            return new AddSubParams(leftShift,
                -input1ZeroPoint, m1.Multiplier, m1.Shift,
                -input2ZeroPoint, m2.Multiplier, m2.Shift,
                outputZeroPoint, mo.Multiplier, mo.Shift, r.Min, r.Max);
        }

        /// <summary>
        /// Mirrors TFLM CalculateOpDataSub (micro/kernels/sub_common.cc), int8 output. Unlike ADD, SUB computes
        /// the real multipliers in FLOAT and only then widens: twice_max = 2 · max(s1, s2) (float),
        /// real_i = double(s_i / twice_max), real_out = double(twice_max / ((1 &lt;&lt; 20) · s_out)).
        /// </summary>
        public static AddSubParams SubParams(
            float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
            float outputScale, int outputZeroPoint, FusedActivation activation)
        {
            const int leftShift = 20;
            float twiceMaxInputScale = (float)(2 * Math.Max(input1Scale, input2Scale));
            double realInput1 = (double)(float)(input1Scale / twiceMaxInputScale);
            double realInput2 = (double)(float)(input2Scale / twiceMaxInputScale);
            float denominator = (float)((1 << leftShift) * outputScale);
            double realOutput = (double)(float)(twiceMaxInputScale / denominator);
            QuantizedMultiplier m1 = QuantizeMultiplierSmallerThanOneExp(realInput1);
            QuantizedMultiplier m2 = QuantizeMultiplierSmallerThanOneExp(realInput2);
            QuantizedMultiplier mo = QuantizeMultiplierSmallerThanOneExp(realOutput);
            ActivationRange r = CalculateActivationRangeQuantized(activation, outputScale, outputZeroPoint);
            return new AddSubParams(leftShift,
                -input1ZeroPoint, m1.Multiplier, m1.Shift,
                -input2ZeroPoint, m2.Multiplier, m2.Shift,
                outputZeroPoint, mo.Multiplier, mo.Shift, r.Min, r.Max);
        }

        /// <summary>
        /// Mirrors TFLM CalculateOpDataMul (micro/kernels/mul_common.cc), int8:
        /// real = double(s1) · double(s2) / double(s_out) → QuantizeMultiplier; activation range.
        /// </summary>
        public static MulParams MulParams(
            float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
            float outputScale, int outputZeroPoint, FusedActivation activation)
        {
            ActivationRange r = CalculateActivationRangeQuantized(activation, outputScale, outputZeroPoint);
            double real = (double)input1Scale * (double)input2Scale / (double)outputScale;
            QuantizedMultiplier q = QuantizeMultiplier(real);
            return new MulParams(-input1ZeroPoint, -input2ZeroPoint, outputZeroPoint, q.Multiplier, q.Shift, r.Min, r.Max);
        }

        // ------------------------------------------------------------------------------------------------
        // Activations and QUANTIZE
        // ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Mirrors TFLM CalculateReluOpData&lt;int8_t&gt; (micro/kernels/activations_common.cc) for RELU:
        /// real = double(in_scale) / double(out_scale) → QuantizeMultiplier;
        /// act_min = max(−128, out_zp + (int)roundf(0 / out_scale)), act_max = 127.
        /// </summary>
        public static RequantizeParams ReluParams(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        {
            double real = (double)inputScale / (double)outputScale;
            QuantizedMultiplier q = QuantizeMultiplier(real);
            int actMin = Math.Max(-128, outputZeroPoint + (int)RoundHalfAwayFromZero((float)(0.0f / outputScale)));
            return new RequantizeParams(-inputZeroPoint, outputZeroPoint, q.Multiplier, q.Shift, actMin, 127);
        }

        /// <summary>
        /// TFLM's RELU6 (Relu6Prepare / Relu6Quantized in micro/kernels/activations*.cc) for int8 clamps in the
        /// INPUT domain and ignores the output quantization: lower = input zp,
        /// upper = FloatToQuantizedType&lt;int8&gt;(6, in_scale, in_zp) = clamp(round(6 / in_scale) + in_zp, −128, 127).
        /// Returns (lower, upper) for kernels/reference/Relu6.cs.
        /// </summary>
        public static ActivationRange Relu6Bounds(float inputScale, int inputZeroPoint)
        {
            int six = FloatToQuantizedInt8(6.0f, inputScale, inputZeroPoint);
            return new ActivationRange(inputZeroPoint, six);
        }

        /// <summary>
        /// The same TFLM RELU6 expressed in the requantize form (so RELU6 can share the RELU kernel and the .edge
        /// RequantizeOptions table): identity multiplier (2^30, shift 1) — MultiplyByQuantizedMultiplier with it
        /// is exactly the identity — input offset −zp, output offset +zp, clamp [zp, six]. Bit-identical to
        /// TFLM's Relu6Quantized(zero, six).
        /// </summary>
        public static RequantizeParams Relu6Params(float inputScale, int inputZeroPoint)
        {
            ActivationRange b = Relu6Bounds(inputScale, inputZeroPoint);
            return new RequantizeParams(-inputZeroPoint, inputZeroPoint, 1 << 30, 1, b.Min, b.Max);
        }

        /// <summary>
        /// Mirrors TFLM PrepareQuantizeReference (micro/kernels/quantize_common.cc) for int8 → int8:
        /// effective = double(in_scale) / double(out_scale) → QuantizeMultiplier; Requantize clamps to int8.
        /// </summary>
        public static RequantizeParams RequantizeParams(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        {
            double effective = (double)inputScale / (double)outputScale;
            QuantizedMultiplier q = QuantizeMultiplier(effective);
            return new RequantizeParams(-inputZeroPoint, outputZeroPoint, q.Multiplier, q.Shift, -128, 127);
        }

        /// <summary>
        /// Mirrors TFLM CalculateOpDataLeakyRelu (micro/kernels/leaky_relu_common.cc). Both real multipliers
        /// are computed in FLOAT and then widened: alpha = double(in_scale · alpha / out_scale),
        /// identity = double(in_scale / out_scale); each via QuantizeMultiplier.
        /// </summary>
        public static LeakyReluParams LeakyReluParams(
            float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint, float alpha)
        {
            float alphaProduct = (float)(inputScale * alpha);
            double alphaMultiplier = (double)(float)(alphaProduct / outputScale);
            QuantizedMultiplier qa = QuantizeMultiplier(alphaMultiplier);
            double identityMultiplier = (double)(float)(inputScale / outputScale);
            QuantizedMultiplier qi = QuantizeMultiplier(identityMultiplier);
            return new LeakyReluParams(-inputZeroPoint, outputZeroPoint, qi.Multiplier, qi.Shift, qa.Multiplier, qa.Shift);
        }

        // ------------------------------------------------------------------------------------------------
        // Helpers shared with the tests
        // ------------------------------------------------------------------------------------------------

        /// <summary>TfLiteRound / std::round on a float: half away from zero, exact (computed in double).</summary>
        public static float RoundHalfAwayFromZero(float v)
        {
            if (float.IsNaN(v) || float.IsInfinity(v)) return v;
            double a = Math.Abs((double)v);
            double r = Math.Floor(a + 0.5);
            return (float)(v < 0 ? -r : r);
        }

        /// <summary>
        /// tflite::FloatToQuantizedType&lt;int8_t&gt; (micro/micro_utils.h): round(value / scale) + zero_point,
        /// clamped to [−128, 127]. The division is in float.
        /// </summary>
        public static int FloatToQuantizedInt8(float value, float scale, int zeroPoint)
        {
            double r = RoundHalfAwayFromZero((float)(value / scale));
            double v = r + zeroPoint;
            if (v < -128) return -128;
            if (v > 127) return 127;
            return (int)v;
        }
    }
}
