using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using Edge.Converter.Cli;
using Edge.Runtime;

namespace Edge.SampleGen
{
    /// <summary>One sample input: the x it stands for, its int8 value and its file name.</summary>
    public sealed record SineInput(double X, sbyte Quantized, string FileName);

    /// <summary>Everything the generator produces, in memory.</summary>
    public sealed class SineSampleResult
    {
        public byte[] Tflite { get; init; }
        public QuantizedMlp Model { get; init; }
        public SineMlp Float { get; init; }
        public IReadOnlyList<SineInput> Inputs { get; init; }
        public string Readme { get; init; }
        /// <summary>Largest |float64 model − sin x| over a 1001-point grid of [0, 2π].</summary>
        public double FloatMaxAbsError { get; init; }
    }

    /// <summary>
    /// The repository's own sample model: samples/sine/sine_int8.tflite, a full-integer INT8 sine approximator
    /// trained, quantized and serialized here (no TensorFlow, no third-party model or data).
    /// </summary>
    public static class SineSample
    {
        public const string ModelFileName = "sine_int8.tflite";
        public const string InputsFolder = "inputs";

        /// <summary>
        /// The x values of the sample inputs (all in [0, 2π]). Chosen off the hello_world conformance inputs'
        /// x values so that no sample file is byte-identical to a file of ../shared (a 1-element int8 .npy is
        /// identical whenever the quantized byte is).
        /// </summary>
        public static readonly double[] SampleXs = { 0.3, 1.2, 2.0, 2.8, 3.6, 4.4, 5.2, 5.9 };

        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>x_2p00_in0.npy for x = 2.0 (the naming of the conformance cases' inputs).</summary>
        public static string InputFileName(double x) => "x_" + x.ToString("0.00", Inv).Replace('.', 'p').Replace("-", "m") + "_in0.npy";

        public static SineSampleResult Build(SineMlp.Options options = null)
        {
            options ??= new SineMlp.Options();
            SineMlp net = SineMlp.Train(options);
            QuantizedMlp q = PostTrainingQuantizer.Quantize(net, net.TrainX);
            byte[] tflite = TfliteModelWriter.Write(q, "Edge sine sample (tools/samplegen): 1-16-16-1 ReLU MLP, full-integer int8");

            var inputs = new List<SineInput>();
            foreach (double x in SampleXs) inputs.Add(new SineInput(x, q.Input.Quantize(x), InputFileName(x)));

            double maxErr = 0;
            for (int i = 0; i <= 1000; i++)
            {
                double x = SineMlp.TwoPi * i / 1000;
                maxErr = Math.Max(maxErr, Math.Abs(net.Predict(x) - SineMlp.Sin(x)));
            }
            var partial = new SineSampleResult { Tflite = tflite, Model = q, Float = net, Inputs = inputs, FloatMaxAbsError = maxErr };
            return new SineSampleResult
            {
                Tflite = tflite, Model = q, Float = net, Inputs = inputs, FloatMaxAbsError = maxErr,
                Readme = Readme(partial, options),
            };
        }

        /// <summary>Builds the sample and writes DIR/sine_int8.tflite, DIR/inputs/x_*_in0.npy and DIR/README.md.</summary>
        public static SineSampleResult Generate(string outDir, SineMlp.Options options = null)
        {
            var r = Build(options);
            Write(r, outDir);
            return r;
        }

        /// <summary>Writes a built sample: DIR/sine_int8.tflite, DIR/inputs/x_*_in0.npy and DIR/README.md (LF line ends).</summary>
        public static void Write(SineSampleResult r, string outDir)
        {
            Directory.CreateDirectory(Path.Combine(outDir, InputsFolder));
            File.WriteAllBytes(Path.Combine(outDir, ModelFileName), r.Tflite);
            foreach (var i in r.Inputs)
                Npy.Write(Path.Combine(outDir, InputsFolder, i.FileName), DType.Int8, new[] { 1, 1 }, new[] { unchecked((byte)i.Quantized) });
            File.WriteAllText(Path.Combine(outDir, "README.md"), r.Readme.Replace("\r\n", "\n"), new UTF8Encoding(false));
        }

        private static string F(double v, string fmt = "G6") => v.ToString(fmt, Inv);

        private static string Readme(SineSampleResult r, SineMlp.Options o)
        {
            var q = r.Model;
            var sb = new StringBuilder();
            sb.Append(@"# samples/sine — Edge's own INT8 sample model

`sine_int8.tflite` is a full-integer INT8 TFLite model that approximates sin(x) on [0, 2π]. It is the
default model of `edge demo` and of the README's main command.

**Everything here was made by this repository** — by `tools/samplegen` — with no TensorFlow and no
third-party model, weights or data. It is the project's own data: no third-party license or terms
apply, and it is covered by the same license as the rest of the repository. (The TFLite Micro / MLPerf
models in `../shared` are used for conformance tests only and are never copied into the repository.)

## Regenerate

```
dotnet run --project tools/samplegen -- samples/sine
```

The output is deterministic: the generator uses only IEEE-754 basic arithmetic and square roots (no
libm, no System.Random), so every run gives the same bytes; `tests/Edge.Tests/Samples/SampleTests.cs`
checks that it reproduces the committed files byte for byte. This README is written by the generator too.

## How it was made

1. **Data**: ").Append(o.RandomSamples).Append(@" x values drawn uniformly from [0, 2π] by a SplitMix64 generator (seed
   `0x").Append(o.Seed.ToString("X16", Inv)).Append(@"`) plus the end points 0 and 2π; targets sin(x) from a Taylor series (no libm).
2. **Model**: 1 → 16 → 16 → 1 fully connected, ReLU after the first two layers (the shape of TFLite
   Micro's hello_world example; the training is our own).
3. **Training**: full-batch Adam in double precision, mean squared error, ").Append(o.Steps).Append(@" steps, learning rate
   ").Append(F(o.LearningRate)).Append(@" divided by 3 at ").Append(string.Join(", ", Array.ConvertAll(o.DecayAt, d => F(d * 100) + " %"))).Append(@" of the steps.
   Float model: training MSE ").Append(F(r.Float.FinalMse, "0.000E+00")).Append(@", max |y − sin x| on [0, 2π] ").Append(F(r.FloatMaxAbsError, "F4")).Append(@".
4. **Post-training full-integer quantization**, as the TFLite converter does it (float32 model,
   calibration over the training inputs):
   - weights int8, symmetric, per output channel (quantized_dimension 0): scale = max|w| / 127, zero point 0;
   - biases int32: scale = input_scale · weight_scale[c], zero point 0;
   - activations int8, asymmetric, per tensor: calibrated [min, max] widened to contain 0,
     scale = (max − min) / 255, zero_point = round(−128 − min / scale);
   - rounding half away from zero.
5. **Serialization**: a TFLite FlatBuffer (identifier `TFL3`, schema version 3) written with
   Edge's own FlatBuffers builder: 3 FULLY_CONNECTED operators (op version 4), fused RELU on the first two.

| tensor | shape | dtype | scale | zero point |
|---|---|---|---|---|
");
            sb.Append("| x (input) | [1, 1] | int8 | ").Append(F(q.Input.Scale, "G9")).Append(" | ").Append(q.Input.ZeroPoint).Append(" |\n");
            for (int l = 0; l < q.Layers.Length; l++)
            {
                var d = q.Layers[l];
                string name = l == q.Layers.Length - 1 ? "y (output)" : $"{d.Name} ReLU output";
                sb.Append("| ").Append(name).Append(" | [1, ").Append(d.Units).Append("] | int8 | ").Append(F(d.Output.Scale, "G9")).Append(" | ").Append(d.Output.ZeroPoint).Append(" |\n");
            }
            sb.Append(@"
Dequantize the output with y = scale · (q − zero_point); quantize an input with
q = clamp(round(x / scale) + zero_point, −128, 127).

## Inputs

`inputs/x_<value>_in0.npy`: int8 arrays of shape [1, 1] (NumPy .npy), one per x:

| file | x | int8 |
|---|---|---|
");
            foreach (var i in r.Inputs) sb.Append("| ").Append(i.FileName).Append(" | ").Append(F(i.X)).Append(" | ").Append(i.Quantized).Append(" |\n");
            sb.Append(@"
## Try it

```
dotnet run --project tools/converter -- demo
dotnet run --project tools/converter -- convert samples/sine/sine_int8.tflite -o /tmp/sine.edge
dotnet run --project tools/converter -- run /tmp/sine.edge --input samples/sine/inputs/x_2p00_in0.npy --output-dir /tmp/sine-out
```
");
            return sb.ToString();
        }
    }
}
