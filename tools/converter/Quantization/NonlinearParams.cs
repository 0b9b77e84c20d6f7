using System;
using Edge.Converter.Ir;

namespace Edge.Converter.Quantization
{
    /// <summary>
    /// Host-side constants for the "nonlinear" int8 reference kernels (kernels/reference/Softmax.cs, Logistic.cs,
    /// Tanh.cs, HardSwish.cs, Mean.cs), computed exactly as TensorFlow Lite Micro's Prepare functions do, with the
    /// same float-vs-double types:
    ///  * SOFTMAX: micro/kernels/softmax_common.cc CalculateSoftmaxParams (PreprocessSoftmaxScaling,
    ///    CalculateInputRadius from kernels/internal/quantization_util.cc);
    ///  * LOGISTIC: micro/kernels/logistic_common.cc CalculateArithmeticOpDataLogistic;
    ///  * TANH: micro/kernels/tanh.cc CalculateArithmeticOpData;
    ///  * HARD_SWISH: micro/kernels/hard_swish_common.cc HardSwishPrepare (DownScaleInt32ToInt16Multiplier);
    ///  * MEAN: micro/kernels/reduce_common.cc PrepareMeanOrSumHelper + the run-time 1/count folding of
    ///    kernels/internal/reference/reduce.h QuantizedMeanOrSum, done here once.
    ///
    /// Each TryX returns null on success or an error message where TFLM's Prepare would fail (TF_LITE_ENSURE /
    /// TFLITE_CHECK) or where TFLM's behaviour would be undefined; X is the same but throws ArgumentException.
    /// "warning" outputs report quantization TFLM accepts silently although it is not the canonical one (e.g. a
    /// LOGISTIC output scale other than 1/256: TFLM ignores the output scale and so do we). The tensors are assumed
    /// int8 with per-tensor quantization; the caller checks types. See docs/kernels-nonlinear.md.
    /// </summary>
    public static class NonlinearParams
    {
        // ------------------------------------------------------------------------------------------------ SOFTMAX

        /// <summary>
        /// SOFTMAX int8 -&gt; int8. TFLM requires output zero point == -128 and output scale == 1.f/256 exactly;
        /// input_scale * beta * 2^26 must exceed 1 (QuantizeMultiplierGreaterThanOne's TFLITE_CHECK).
        /// input_multiplier/input_left_shift = PreprocessSoftmaxScaling(double(beta), double(input_scale), 5);
        /// diff_min = -CalculateInputRadius(5, input_left_shift, 31).
        /// </summary>
        public static string TrySoftmax(float beta, float inputScale, float outputScale, int outputZeroPoint,
                                        out SoftmaxOptions options)
        {
            options = null;
            if (outputZeroPoint != -128)
                return "SOFTMAX: int8 output zero point must be -128 (TFLM), got " + outputZeroPoint;
            if (outputScale != 1.0f / 256)
                return "SOFTMAX: int8 output scale must be exactly 1/256 (TFLM), got " + R(outputScale);
            const int scaledDiffIntegerBits = 5;
            int multiplier, leftShift;
            string err = PreprocessSoftmaxScaling(beta, inputScale, scaledDiffIntegerBits, out multiplier, out leftShift);
            if (err != null) return "SOFTMAX: " + err;
            int radius;
            err = CalculateInputRadius(scaledDiffIntegerBits, leftShift, 31, out radius);
            if (err != null) return "SOFTMAX: " + err;
            options = new SoftmaxOptions { InputMultiplier = multiplier, InputLeftShift = leftShift, DiffMin = -radius };
            return null;
        }

        public static SoftmaxOptions Softmax(float beta, float inputScale, float outputScale, int outputZeroPoint)
        {
            SoftmaxOptions o;
            Throw(TrySoftmax(beta, inputScale, outputScale, outputZeroPoint, out o));
            return o;
        }

        // ------------------------------------------------------------------------------------------------ LOGISTIC

        /// <summary>
        /// LOGISTIC int8 -&gt; int8 (TFLM CalculateArithmeticOpDataLogistic). TFLM requires output zero point == -128
        /// and does not look at the output scale (the kernel always produces the 1/256 grid; a different scale is
        /// reported in <paramref name="warning"/>). input_real_multiplier = double(input_scale) * double(1 &lt;&lt; 27);
        /// (q, input_left_shift) = frexp(it); input_multiplier = int32(TfLiteRound(q * 2^31));
        /// input_range_radius = CalculateInputRadius(4, input_left_shift, 31).
        /// </summary>
        public static string TryLogistic(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                         out SigmoidTanhOptions options, out string warning)
        {
            options = null;
            warning = null;
            if (outputZeroPoint != -128)
                return "LOGISTIC: int8 output zero point must be -128 (TFLM), got " + outputZeroPoint;
            string err = SigmoidTanhInput(inputScale, inputZeroPoint, out options);
            if (err != null) return "LOGISTIC: " + err;
            if (outputScale != 1.0f / 256)
                warning = "LOGISTIC: output scale " + R(outputScale) +
                          " is not 1/256; TFLM ignores it and writes the 1/256 grid (so does Edge)";
            return null;
        }

        public static SigmoidTanhOptions Logistic(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        {
            SigmoidTanhOptions o;
            string warning;
            Throw(TryLogistic(inputScale, inputZeroPoint, outputScale, outputZeroPoint, out o, out warning));
            return o;
        }

        // ------------------------------------------------------------------------------------------------ TANH

        /// <summary>
        /// TANH int8 -&gt; int8 (TFLM tanh.cc CalculateArithmeticOpData): the same constants as LOGISTIC. TFLM checks
        /// neither the output zero point nor the output scale (the kernel always produces scale 1/128, zero point 0;
        /// anything else is reported in <paramref name="warning"/>).
        /// </summary>
        public static string TryTanh(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                     out SigmoidTanhOptions options, out string warning)
        {
            options = null;
            warning = null;
            string err = SigmoidTanhInput(inputScale, inputZeroPoint, out options);
            if (err != null) return "TANH: " + err;
            if (outputZeroPoint != 0 || outputScale != 1.0f / 128)
                warning = "TANH: output quantization (scale " + R(outputScale) + ", zero point " + outputZeroPoint +
                          ") is not (1/128, 0); TFLM ignores it and writes the (1/128, 0) grid (so does Edge)";
            return null;
        }

        public static SigmoidTanhOptions Tanh(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        {
            SigmoidTanhOptions o;
            string warning;
            Throw(TryTanh(inputScale, inputZeroPoint, outputScale, outputZeroPoint, out o, out warning));
            return o;
        }

        private static string SigmoidTanhInput(float inputScale, int inputZeroPoint, out SigmoidTanhOptions options)
        {
            options = null;
            const int inputIntegerBits = 4;
            if (!(inputScale > 0) || float.IsInfinity(inputScale))
                return "input scale must be positive and finite, got " + R(inputScale);
            double inputRealMultiplier = (double)inputScale * (double)(1 << (31 - inputIntegerBits));
            int leftShift;
            double q = QuantMath.Frexp(inputRealMultiplier, out leftShift);
            double rounded = Math.Round(q * 2147483648.0, MidpointRounding.AwayFromZero);   // TfLiteRound(q * (1ll << 31))
            if (rounded >= 2147483648.0)
                return "input multiplier rounds to 2^31 (int32 overflow in TFLM)";
            // CalculateInputRadius shifts 1LL by input_left_shift: negative shifts are undefined in C++.
            if (leftShift < 0)
                return "input scale " + R(inputScale) + " is too small (input_left_shift < 0 is undefined in TFLM)";
            int radius;
            string err = CalculateInputRadius(inputIntegerBits, leftShift, 31, out radius);
            if (err != null) return err;
            options = new SigmoidTanhOptions
            {
                InputZeroPoint = inputZeroPoint,
                InputRangeRadius = radius,
                InputMultiplier = (int)rounded,
                InputLeftShift = leftShift,
            };
            return null;
        }

        // ------------------------------------------------------------------------------------------------ HARD_SWISH

        /// <summary>
        /// HARD_SWISH int8 -&gt; int8 (TFLM HardSwishPrepare), in FLOAT where TFLM is:
        /// hires_input_scale = (1.0f / 128.0f) * input_scale; reluish_scale = 3.0f / 32768.0f;
        /// output_multiplier = double(hires_input_scale / output_scale) -&gt; QuantizeMultiplier -&gt;
        /// DownScaleInt32ToInt16Multiplier; TFLM requires output_multiplier_exponent &lt;= 0;
        /// reluish_multiplier = double(hires_input_scale / reluish_scale) -&gt; QuantizeMultiplier -&gt;
        /// DownScaleInt32ToInt16Multiplier.
        /// </summary>
        public static string TryHardSwish(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                          out HardSwishOptions options)
        {
            options = null;
            if (!(inputScale > 0) || float.IsInfinity(inputScale) || !(outputScale > 0) || float.IsInfinity(outputScale))
                return "HARD_SWISH: scales must be positive and finite";
            float hiresInputScale = (float)((1.0f / 128.0f) * inputScale);
            float reluishScale = 3.0f / 32768.0f;
            double outputMultiplier = (double)(float)(hiresInputScale / outputScale);
            double reluishMultiplier = (double)(float)(hiresInputScale / reluishScale);
            QuantizedMultiplier om, rm;
            try
            {
                om = QuantMath.QuantizeMultiplier(outputMultiplier);
                rm = QuantMath.QuantizeMultiplier(reluishMultiplier);
            }
            catch (ArgumentException e)
            {
                return "HARD_SWISH: " + e.Message;
            }
            if (om.Shift > 0)
                return "HARD_SWISH: output_multiplier_exponent must be <= 0 (TFLM), i.e. input_scale / 128 < output_scale;" +
                       " got input scale " + R(inputScale) + ", output scale " + R(outputScale);
            // The kernel left-shifts an int16 by reluish_multiplier_exponent - 1 through (1 << amount) in int.
            if (rm.Shift > 31)
                return "HARD_SWISH: input scale " + R(inputScale) + " is too large (reluish exponent > 31)";
            options = new HardSwishOptions
            {
                InputZeroPoint = inputZeroPoint,
                OutputZeroPoint = outputZeroPoint,
                ReluishMultiplierFixedpointInt16 = DownScaleInt32ToInt16Multiplier(rm.Multiplier),
                ReluishMultiplierExponent = rm.Shift,
                OutputMultiplierFixedpointInt16 = DownScaleInt32ToInt16Multiplier(om.Multiplier),
                OutputMultiplierExponent = om.Shift,
            };
            return null;
        }

        public static HardSwishOptions HardSwish(float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint)
        {
            HardSwishOptions o;
            Throw(TryHardSwish(inputScale, inputZeroPoint, outputScale, outputZeroPoint, out o));
            return o;
        }

        /// <summary>tflite::DownScaleInt32ToInt16Multiplier (kernels/internal/common.h). Requires m &gt;= 0.</summary>
        public static short DownScaleInt32ToInt16Multiplier(int multiplierInt32)
        {
            if (multiplierInt32 < 0) throw new ArgumentException("DownScaleInt32ToInt16Multiplier: negative multiplier");
            const int roundingOffset = 1 << 15;
            if (multiplierInt32 >= int.MaxValue - roundingOffset) return short.MaxValue;
            return (short)((multiplierInt32 + roundingOffset) >> 16);
        }

        // ------------------------------------------------------------------------------------------------ MEAN

        /// <summary>TFLM's reduce kernels keep the input iteration index in int[kMaxNumberOfAxis = 5].</summary>
        public const int MeanMaxRank = 5;

        /// <summary>
        /// TFLM's EvalMeanHelper resolves the axes into int[kMaxNumberOfReducedAxis = 2]; more distinct axes overrun
        /// that stack array (undefined behaviour), so they are rejected.
        /// </summary>
        public const int MeanMaxReducedAxes = 2;

        /// <summary>
        /// MEAN int8 -&gt; int8. Axes are resolved like reference_ops::ResolveAxis (negative + rank, duplicates
        /// dropped), then stored sorted. same_quantization = (input zp == output zp &amp;&amp; input scale == output scale);
        /// (multiplier, shift) = QuantizeMultiplier(double(input_scale) / double(output_scale)) with 1/count folded in
        /// as QuantizedMeanOrSum does: s = min(63 - clz64(count), 32, 31 + shift);
        /// multiplier = int32((int64(multiplier) &lt;&lt; s) / count); shift -= s.
        /// <paramref name="outputShape"/> may be null; otherwise its element count must match.
        /// </summary>
        public static string TryMean(int[] inputShape, int[] axes, bool keepDims,
                                     float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                     int[] outputShape, out MeanOptions options)
        {
            options = null;
            if (inputShape == null || axes == null) return "MEAN: missing shape or axes";
            int rank = inputShape.Length;
            if (rank > MeanMaxRank)
                return "MEAN: input rank " + rank + " exceeds TFLM's limit of " + MeanMaxRank;
            for (int d = 0; d < rank; d++)
                if (inputShape[d] <= 0) return "MEAN: zero-sized or negative input dimension " + inputShape[d];

            // reference_ops::ResolveAxis
            int[] resolved = new int[axes.Length];
            int numResolved = 0;
            for (int k = 0; k < axes.Length; k++)
            {
                int current = axes[k] < 0 ? axes[k] + rank : axes[k];
                if (current < 0 || current >= rank)
                    return "MEAN: axis " + axes[k] + " out of range for rank " + rank;
                bool dup = false;
                for (int j = 0; j < numResolved; j++) if (resolved[j] == current) dup = true;
                if (!dup) resolved[numResolved++] = current;
            }
            if (numResolved > MeanMaxReducedAxes)
                return "MEAN: " + numResolved + " distinct reduction axes; TFLM's reference kernel supports at most " +
                       MeanMaxReducedAxes + " (larger counts overrun its resolved_axis array)";
            int[] sortedAxes = new int[numResolved];
            Array.Copy(resolved, sortedAxes, numResolved);
            Array.Sort(sortedAxes);

            long count = 1, outputCount = 1;
            for (int d = 0; d < rank; d++)
            {
                if (Array.IndexOf(sortedAxes, d) >= 0) count *= inputShape[d];
                else outputCount *= inputShape[d];
            }
            if (count * outputCount > int.MaxValue) return "MEAN: input too large";
            if (outputShape != null)
            {
                long n = 1;
                foreach (int v in outputShape) n *= v;
                if (n != outputCount)
                    return "MEAN: output element count " + n + " != " + outputCount + " implied by input shape and axes";
            }

            QuantizedMultiplier q;
            try
            {
                q = QuantMath.QuantizeMultiplier((double)inputScale / (double)outputScale);
            }
            catch (ArgumentException e)
            {
                return "MEAN: " + e.Message;
            }
            int multiplier, shift;
            FoldMeanCount(q.Multiplier, q.Shift, count, out multiplier, out shift);

            options = new MeanOptions
            {
                Axes = sortedAxes,
                KeepDims = keepDims,
                InputZeroPoint = inputZeroPoint,
                OutputZeroPoint = outputZeroPoint,
                Multiplier = multiplier,
                Shift = shift,
                SameQuantization = inputZeroPoint == outputZeroPoint && inputScale == outputScale,
            };
            return null;
        }

        public static MeanOptions Mean(int[] inputShape, int[] axes, bool keepDims,
                                       float inputScale, int inputZeroPoint, float outputScale, int outputZeroPoint,
                                       int[] outputShape = null)
        {
            MeanOptions o;
            Throw(TryMean(inputShape, axes, keepDims, inputScale, inputZeroPoint, outputScale, outputZeroPoint,
                          outputShape, out o));
            return o;
        }

        /// <summary>
        /// The "readapt output rescaling" step of reference_ops::QuantizedMeanOrSum (compute_sum = false), which
        /// TFLM runs on every Eval: folds 1/count into (multiplier, shift).
        /// </summary>
        public static void FoldMeanCount(int multiplier, int shift, long count, out int foldedMultiplier, out int foldedShift)
        {
            if (count <= 0) throw new ArgumentException("FoldMeanCount: count must be positive");
            int s = 63 - CountLeadingZeros64((ulong)count);
            s = Math.Min(s, 32);
            s = Math.Min(s, 31 + shift);
            foldedMultiplier = (int)(((long)multiplier << s) / count);
            foldedShift = shift - s;
        }

        // ------------------------------------------------------------------------------------------------ shared

        /// <summary>
        /// tflite::PreprocessSoftmaxScaling (double rounding build, TFLITE_EMULATE_FLOAT off):
        /// real = min(beta * input_scale * (1 &lt;&lt; (31 - integer_bits)), 2^31 - 1.0) in double, then
        /// QuantizeMultiplierGreaterThanOne.
        /// </summary>
        public static string PreprocessSoftmaxScaling(double beta, double inputScale, int inputIntegerBits,
                                                      out int quantizedMultiplier, out int leftShift)
        {
            quantizedMultiplier = 0;
            leftShift = 0;
            const double maxRealMultiplier = (1L << 31) - 1.0;
            double inputBetaRealMultiplier = Math.Min(beta * inputScale * (1 << (31 - inputIntegerBits)), maxRealMultiplier);
            if (!(inputBetaRealMultiplier > 1.0))
                return "beta * input_scale * 2^" + (31 - inputIntegerBits) + " = " + inputBetaRealMultiplier.ToString("R") +
                       " must be > 1 (TFLM QuantizeMultiplierGreaterThanOne check)";
            QuantizedMultiplier q;
            try
            {
                q = QuantMath.QuantizeMultiplierGreaterThanOne(inputBetaRealMultiplier);
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
            quantizedMultiplier = q.Multiplier;
            leftShift = q.Shift;
            return null;
        }

        /// <summary>
        /// tflite::CalculateInputRadius (TFLITE_EMULATE_FLOAT off): floor(((1 &lt;&lt; integer_bits) - 1) *
        /// 2^(total_signed_bits - integer_bits) / 2^left_shift), computed in double as TFLite does.
        /// 0 &lt;= left_shift &lt;= 62 (otherwise TFLite's 1LL &lt;&lt; left_shift is undefined).
        /// </summary>
        public static string CalculateInputRadius(int inputIntegerBits, int inputLeftShift, int totalSignedBits, out int radius)
        {
            radius = 0;
            if (inputLeftShift < 0 || inputLeftShift > 62)
                return "input_left_shift " + inputLeftShift + " out of range for CalculateInputRadius";
            double maxInputRescaled = 1.0 * ((1 << inputIntegerBits) - 1) *
                                      (double)(1L << (totalSignedBits - inputIntegerBits)) /
                                      (double)(1L << inputLeftShift);
            radius = (int)Math.Floor(maxInputRescaled);
            return null;
        }

        private static int CountLeadingZeros64(ulong x)
        {
            if (x == 0) return 64;
            int n = 0;
            while ((x & 0x8000000000000000UL) == 0) { n++; x <<= 1; }
            return n;
        }

        private static void Throw(string error)
        {
            if (error != null) throw new ArgumentException(error);
        }

        private static string R(float f) => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }
}
