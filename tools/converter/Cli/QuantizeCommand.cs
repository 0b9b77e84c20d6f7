using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Edge.Converter.Conversion;
using Edge.Converter.Onnx;
using Edge.Converter.Quantization;

namespace Edge.Converter.Cli
{
    /// <summary>
    /// The post-training-quantization part of <c>edge convert</c>: a float ONNX model with <c>--calibration DIR</c>
    /// is calibrated, rewritten to QDQ form and handed to the ONNX importer.
    /// </summary>
    public sealed class PtqOptions
    {
        public string Calibration;
        public CalibrationOptions Calib = new();
        public ImagePreprocessing Pre = new();
        public string Report;
        public string EmitQdq;
        public bool ReduceRange;
        public bool Given => Calibration != null;

        /// <summary>Reads --calibration, --calibration-method, --percentile, --report, --emit-qdq, --pixel-scale, --mean, --std.</summary>
        public static PtqOptions Read(ArgReader a)
        {
            var o = new PtqOptions
            {
                Calibration = a.Option("calibration"),
                Report = a.Option("report"),
                EmitQdq = a.Option("emit-qdq"),
                ReduceRange = a.Flag("reduce-range"),
            };
            string method = a.Option("calibration-method");
            string pct = a.Option("percentile");
            string scale = a.Option("pixel-scale");
            string mean = a.Option("mean"), std = a.Option("std");
            try
            {
                if (method != null) o.Calib.Method = CalibrationOptions.ParseMethod(method);
                if (mean != null) o.Pre.Mean = ImagePreprocessing.ParseList(mean, "--mean");
                if (std != null) o.Pre.Std = ImagePreprocessing.ParseList(std, "--std");
            }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            if (o.Pre.Std.Any(s => s == 0)) throw new UsageException("--std values must be non-zero");
            if (pct != null)
            {
                if (!double.TryParse(pct, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p <= 0 || p > 100)
                    throw new UsageException($"--percentile must be a number in (0, 100], got '{pct}'");
                if (o.Calib.Method != CalibrationMethod.Percentile) throw new UsageException("--percentile needs --calibration-method percentile");
                o.Calib.Percentile = p;
            }
            if (scale != null)
                o.Pre.ScaleToUnit = scale switch
                {
                    "unit" => true,
                    "raw" => false,
                    _ => throw new UsageException($"--pixel-scale must be 'unit' (pixel/255) or 'raw' (0..255), got '{scale}'"),
                };
            if (!o.Given && (o.ReduceRange || method != null || pct != null || o.Report != null || o.EmitQdq != null || scale != null || mean != null || std != null))
                throw new UsageException("--calibration-method, --percentile, --report, --emit-qdq, --reduce-range, --pixel-scale, --mean and --std need --calibration DIR");
            return o;
        }
    }

    public static class QuantizeCommand
    {
        /// <summary>True when the ONNX model has no quantization operators (a float model, PTQ's input).</summary>
        public static bool IsFloatModel(OnnxModel m) =>
            !m.Graph.Nodes.Any(n => n.OpType is "QuantizeLinear" or "DequantizeLinear" or "QLinearConv" or "QLinearMatMul"
                or "ConvInteger" or "MatMulInteger" or "QLinearAdd" or "QLinearMul" or "QGemm" or "DynamicQuantizeLinear");

        /// <summary>
        /// Calibrates, quantizes, optionally writes the QDQ model and the report, converts to .edge and writes it
        /// atomically. Progress goes to <paramref name="stderr"/>, the report's top five to <paramref name="stdout"/>.
        /// </summary>
        public static ConversionResult Convert(string input, OnnxModel floatModel, byte[] sourceBytes, string output, PtqOptions o,
            Func<Edge.Runtime.EdgeModel, IReadOnlyList<byte[]>> selfTestFor, TextWriter stdout, TextWriter stderr, OnnxImportOptions onnx = null)
        {
            var data = new CalibrationData(floatModel, o.Calibration, o.Pre);
            stdout.WriteLine($"calibration: {data.Count} sample(s) from {o.Calibration}, method {CalibrationOptions.Name(o.Calib.Method)}" +
                             (o.Calib.Method == CalibrationMethod.Percentile ? $" {o.Calib.Percentile.ToString(CultureInfo.InvariantCulture)}" : "") +
                             (data.HasImages ? $"; images: {o.Pre}" : ""));
            stdout.WriteLine(o.ReduceRange
                ? "weights: per-channel symmetric int8 in ±64 (--reduce-range: no int16 pair saturation even in ONNX Runtime's AVX2 GEMM)"
                : onnx != null && onnx.OrtX86PairSaturation
                    ? "weights: per-channel symmetric int8 in ±127 (--ort-avx2: ONNX Runtime's AVX2 GEMM, reproduced here, can saturate int16 pair sums with these; compare --reduce-range with --report)"
                    : "weights: per-channel symmetric int8 in ±127, exact int32 accumulation");
            var r = PostTrainingQuantizer.Quantize(floatModel, data, o.Calib, stderr, o.ReduceRange);
            if (o.EmitQdq != null) WriteAtomic(o.EmitQdq, OnnxWriter.Write(r.Qdq.Model));
            if (o.Report != null)
            {
                var report = QuantizationReport.Measure(Path.GetFileName(input), r, data, stderr, onnx: onnx);
                WriteAtomic(o.Report, System.Text.Encoding.UTF8.GetBytes(
                    Path.GetExtension(o.Report).ToLowerInvariant() switch { ".json" => report.Json(), ".csv" => report.Csv(), _ => report.Text() }));
                stdout.WriteLine();
                report.PrintTop(stdout, 5);
                stdout.WriteLine($"({report.Int8Side}; full report: {o.Report})");
                stdout.WriteLine();
            }
            var cr = ModelConverter.Convert(r.Qdq.Model, Path.GetFileName(input), null, sourceBytes, onnx);
            var selfTest = selfTestFor?.Invoke(Edge.Runtime.EdgeModel.Load(cr.FileBytesData));
            if (selfTest != null) cr = ModelConverter.Convert(r.Qdq.Model, Path.GetFileName(input), selfTest, sourceBytes, onnx);
            WriteAtomic(output, cr.FileBytesData);
            return cr;
        }

        /// <summary>
        /// <c>edge convert --dynamic</c>: the float model (after FloatGraphPrep: constants folded, BatchNormalization
        /// folded, Identity/Dropout dropped) is imported with dynamic quantization and written atomically.
        /// </summary>
        public static ConversionResult ConvertDynamic(string input, OnnxModel floatModel, byte[] sourceBytes, string output,
            Func<Edge.Runtime.EdgeModel, IReadOnlyList<byte[]>> selfTestFor, TextWriter stdout)
        {
            var onnx = new OnnxImportOptions { Dynamic = true };
            var prepared = FloatGraphPrep.Prepare(floatModel);
            stdout.WriteLine("dynamic quantization: weights per-channel symmetric int8 in ±127; Conv/Gemm/MatMul inputs quantized to uint8 per inference (DynamicQuantizeLinear), exact int32 accumulation, float32 outputs");
            var cr = ModelConverter.Convert(prepared, Path.GetFileName(input), null, sourceBytes, onnx);
            var selfTest = selfTestFor?.Invoke(Edge.Runtime.EdgeModel.Load(cr.FileBytesData));
            if (selfTest != null) cr = ModelConverter.Convert(prepared, Path.GetFileName(input), selfTest, sourceBytes, onnx);
            WriteAtomic(output, cr.FileBytesData);
            return cr;
        }

        /// <summary>Temp file + rename: on failure no output file exists.</summary>
        public static void WriteAtomic(string path, byte[] bytes)
        {
            string full = Path.GetFullPath(path);
            string dir = Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: output directory does not exist");
            string tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(tmp, bytes);
                File.Move(tmp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(tmp)) File.Delete(tmp);
            }
        }
    }
}
