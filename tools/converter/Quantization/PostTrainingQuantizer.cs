using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Converter.Cli;
using Edge.Converter.Onnx;

namespace Edge.Converter.Quantization
{
    /// <summary>Static post-training quantization: float ONNX + calibration samples → QDQ ONNX.</summary>
    public static class PostTrainingQuantizer
    {
        public sealed class Result
        {
            /// <summary>The float graph after <see cref="FloatGraphPrep"/> (what was calibrated).</summary>
            public OnnxModel Prepared { get; init; }
            public Dictionary<string, TensorRange> Ranges { get; init; }
            public QdqResult Qdq { get; init; }
            public CalibrationOptions Options { get; init; }
        }

        public static Result Quantize(OnnxModel floatModel, CalibrationData data, CalibrationOptions options, TextWriter progress = null, bool reduceRange = false)
        {
            var prepared = FloatGraphPrep.Prepare(floatModel);
            // fail on ops that cannot be quantized before spending time on calibration
            foreach (var n in prepared.Graph.Nodes)
                if (!QdqQuantizer.QuantizableOps.Contains(n.OpType))
                    throw new Conversion.ConversionException($"node {n} (#{prepared.Graph.Nodes.IndexOf(n)}): {n.OpType} cannot be quantized to int8 (supported: {string.Join(", ", QdqQuantizer.QuantizableOps)})");
            var ranges = CalibrationRunner.Calibrate(prepared, data, options, progress);
            var qdq = QdqQuantizer.Quantize(prepared, ranges, reduceRange);
            return new Result { Prepared = prepared, Ranges = ranges, Qdq = qdq, Options = options };
        }
    }

    /// <summary>
    /// The QDQ model imported to .edge with each layer's QuantizeLinear output added as a model output, so that the
    /// Edge runtime's own int8 value of every layer can be read after one inference.
    /// </summary>
    public sealed class EdgeProbe
    {
        private readonly Edge.Runtime.Interpreter _interp;
        private readonly List<QuantizedLayer> _layers;
        private readonly int _first;
        private readonly byte[] _in;
        private readonly byte[][] _out;

        private EdgeProbe(Edge.Runtime.Interpreter interp, List<QuantizedLayer> layers, int first)
        {
            _interp = interp; _layers = layers; _first = first;
            _in = new byte[interp.Input(0).SizeBytes];
            _out = layers.Select((_, i) => new byte[interp.Output(first + i).SizeBytes]).ToArray();
        }

        /// <summary>Null when the importer does not take the probe model (then the report falls back to fake quantization).</summary>
        public static EdgeProbe TryCreate(QdqResult q, OnnxImportOptions onnx = null)
        {
            var m = q.Model;
            var g = new OnnxGraph { Name = m.Graph.Name };
            g.Inputs.AddRange(m.Graph.Inputs);
            g.Outputs.AddRange(m.Graph.Outputs);
            g.Initializers.AddRange(m.Graph.Initializers);
            g.Nodes.AddRange(m.Graph.Nodes);
            foreach (var l in q.Layers)
            {
                var dq = m.Graph.Nodes.Single(n => n.OpType == "DequantizeLinear" && n.Outputs[0] == l.QdqTensor);
                g.Outputs.Add(new OnnxValueInfo { Name = dq.Inputs[0], ElementType = OnnxDataType.Int8 });
            }
            var probe = new OnnxModel { IrVersion = m.IrVersion, ProducerName = m.ProducerName, ProducerVersion = m.ProducerVersion, Graph = g };
            foreach (var kv in m.Opsets) probe.Opsets[kv.Key] = kv.Value;
            try
            {
                var bytes = Conversion.ModelConverter.Convert(probe, "probe", onnx: onnx).FileBytesData;
                var em = Edge.Runtime.EdgeModel.Load(bytes);
                int first = m.Graph.Outputs.Count;
                if (em.InputCount != 1 || em.Input(0).Type != Edge.Runtime.DType.Float32 || em.OutputCount != first + q.Layers.Count) return null;
                for (int i = 0; i < q.Layers.Count; i++) if (em.Output(first + i).Type != Edge.Runtime.DType.Int8) return null;
                return new EdgeProbe(new Edge.Runtime.Interpreter(em, new byte[em.ArenaBytes]), q.Layers, first);
            }
            catch (Exception e) when (e is Conversion.ConversionException or OnnxFormatException or Edge.Runtime.EdgeFormatException
                                          or InvalidOperationException or NotSupportedException)
            {
                return null;   // the importer or runtime does not take the probe: fall back to fake quantization
            }
        }

        /// <summary>One inference; each layer's int8 output dequantized (real = scale · (q − zp)).</summary>
        public float[][] Run(FloatTensor x)
        {
            Buffer.BlockCopy(x.F, 0, _in, 0, _in.Length);
            _interp.SetInput(0, _in, 0);
            _interp.Invoke();
            var r = new float[_layers.Count][];
            for (int i = 0; i < _layers.Count; i++)
            {
                _interp.GetOutput(_first + i, _out[i], 0);
                float s = _layers[i].Params.Scale[0];
                long zp = _layers[i].Params.ZeroPoint[0];
                var v = new float[_out[i].Length];
                for (int k = 0; k < v.Length; k++) v[k] = s * ((sbyte)_out[i][k] - zp);
                r[i] = v;
            }
            return r;
        }
    }

    public sealed class LayerError
    {
        public string Layer { get; init; }
        public string Op { get; init; }
        public string Tensor { get; init; }
        public double SignalEnergy { get; set; }
        public double NoiseEnergy { get; set; }
        public double MaxAbsError { get; set; }
        /// <summary>Noise energy of the QDQ graph run in float (fake quantization), when the int8 side is the Edge runtime.</summary>
        public double IdealNoiseEnergy { get; set; } = double.NaN;
        public long Elements { get; set; }
        public float Scale { get; init; }
        public long ZeroPoint { get; init; }
        /// <summary>10·log10(Σx² / Σ(x − x̂)²); +∞ when the int8 graph reproduces the float tensor exactly.</summary>
        /// <summary>SQNR of the fake-quant QDQ graph (what quantization alone costs, without the integer kernels' own
        /// arithmetic, e.g. ONNX Runtime's x86 int16 pair saturation that Edge reproduces); NaN when not measured.</summary>
        public double IdealSqnrDb => double.IsNaN(IdealNoiseEnergy) ? double.NaN : IdealNoiseEnergy == 0 ? double.PositiveInfinity : SignalEnergy == 0 ? double.NegativeInfinity : 10 * Math.Log10(SignalEnergy / IdealNoiseEnergy);
        public double SqnrDb => NoiseEnergy == 0 ? double.PositiveInfinity : SignalEnergy == 0 ? double.NegativeInfinity : 10 * Math.Log10(SignalEnergy / NoiseEnergy);
    }

    /// <summary>
    /// Per-layer quantization error: for every quantized op's output, the float graph's tensor against the int8
    /// graph's dequantized tensor over the calibration samples — SQNR in dB and the largest absolute error —
    /// sorted worst (lowest SQNR) first.
    /// </summary>
    public sealed class QuantizationReport
    {
        public string Model { get; init; }
        public string Method { get; init; }
        public int Samples { get; init; }
        /// <summary>What computed the int8 side.</summary>
        public string Int8Side { get; init; }
        public List<LayerError> Layers { get; init; }
        /// <summary>The model outputs' errors (a subset of <see cref="Layers"/>, by tensor name).</summary>
        public List<LayerError> Outputs { get; init; }

        public const string FakeQuantNote =
            "int8 side: the QDQ graph run by the converter's float executor (QuantizeLinear/DequantizeLinear as ONNX defines them, ops in float between them: fake quantization)";

        public const string EdgeRuntimeNote =
            "int8 side: the Edge runtime (reference kernels) running the QDQ model as imported to .edge, every layer's int8 tensor read out as an extra model output and dequantized with its scale and zero point";

        /// <summary>
        /// Runs the float graph and the int8 graph on every calibration sample. The int8 side is the Edge runtime
        /// when the importer accepts the QDQ model with every layer's quantized tensor added as a model output
        /// (<paramref name="edgeRuntime"/>), else the QDQ graph in the float executor (fake quantization); the
        /// report's <see cref="Int8Side"/> says which.
        /// </summary>
        public static QuantizationReport Measure(string modelName, PostTrainingQuantizer.Result r, CalibrationData data, TextWriter progress = null, bool edgeRuntime = true, OnnxImportOptions onnx = null)
        {
            var fexec = new FloatExecutor(r.Prepared);
            var qexec = new FloatExecutor(r.Qdq.Model);
            var probe = edgeRuntime ? EdgeProbe.TryCreate(r.Qdq, onnx) : null;
            var errs = r.Qdq.Layers.Select(l => new LayerError
            {
                Layer = l.NodeName, Op = l.Fused, Tensor = l.FloatTensor, Scale = l.Params.Scale[0], ZeroPoint = l.Params.ZeroPoint[0],
            }).ToList();
            var bar = progress == null ? null : new ProgressBar(progress, "measuring error", data.Count);
            int n = 0;
            foreach (var x in data.Samples())
            {
                var feeds = new Dictionary<string, FloatTensor> { [data.InputName] = x };
                var fe = fexec.Run(feeds);
                var qe = qexec.Run(feeds);
                var pe = probe?.Run(x);
                for (int i = 0; i < errs.Count; i++)
                {
                    var a = fe[r.Qdq.Layers[i].FloatTensor].F;
                    var b = pe != null ? pe[i] : qe[r.Qdq.Layers[i].QdqTensor].F;
                    var e = errs[i];
                    for (int k = 0; k < a.Length; k++)
                    {
                        double d = (double)a[k] - b[k];
                        e.SignalEnergy += (double)a[k] * a[k];
                        e.NoiseEnergy += d * d;
                        e.MaxAbsError = Math.Max(e.MaxAbsError, Math.Abs(d));
                    }
                    if (pe != null)
                    {
                        var c = qe[r.Qdq.Layers[i].QdqTensor].F;
                        double ideal = double.IsNaN(e.IdealNoiseEnergy) ? 0 : e.IdealNoiseEnergy;
                        for (int k = 0; k < a.Length; k++) { double d = (double)a[k] - c[k]; ideal += d * d; }
                        e.IdealNoiseEnergy = ideal;
                    }
                    e.Elements += a.Length;
                }
                n++;
                bar?.Step();
            }
            var outputs = new HashSet<string>(r.Prepared.Graph.Outputs.Select(o => o.Name), StringComparer.Ordinal);
            return new QuantizationReport
            {
                Model = modelName,
                Method = CalibrationOptions.Name(r.Options.Method) + (r.Options.Method == CalibrationMethod.Percentile ? $" {r.Options.Percentile.ToString(CultureInfo.InvariantCulture)}" : ""),
                Samples = n,
                Int8Side = probe != null ? EdgeRuntimeNote : FakeQuantNote,
                Layers = errs.OrderBy(e => e.SqnrDb).ThenByDescending(e => e.MaxAbsError).ToList(),
                Outputs = errs.Where(e => outputs.Contains(e.Tensor)).ToList(),
            };
        }

        private static string Db(double v) => double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : v.ToString("F2", CultureInfo.InvariantCulture);
        private static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

        public TextTable Table(int top = int.MaxValue)
        {
            bool ideal = Layers.Any(e => !double.IsNaN(e.IdealSqnrDb));
            var t = ideal ? new TextTable("#", "layer", "op", "SQNR dB", "max abs err", "fake-quant dB", "scale", "zp")
                          : new TextTable("#", "layer", "op", "SQNR dB", "max abs err", "scale", "zp");
            int i = 0;
            foreach (var e in Layers.Take(top))
            {
                var cells = new List<string> { (++i).ToString(CultureInfo.InvariantCulture), e.Layer, e.Op, Db(e.SqnrDb), G(e.MaxAbsError) };
                if (ideal) cells.Add(Db(e.IdealSqnrDb));
                cells.Add(G(e.Scale)); cells.Add(e.ZeroPoint.ToString(CultureInfo.InvariantCulture));
                t.Add(cells.ToArray());
            }
            return t;
        }

        public void PrintTop(TextWriter w, int top = 5)
        {
            w.WriteLine($"quantization error per layer ({Method}, {Samples} samples), worst {Math.Min(top, Layers.Count)} of {Layers.Count}:");
            Table(top).Write(w);
            foreach (var o in Outputs) w.WriteLine($"model output '{o.Tensor}': SQNR {Db(o.SqnrDb)} dB, max abs error {G(o.MaxAbsError)}");
            if (KernelLossLayers().Any())
                w.WriteLine($"note: {KernelLossLayers().Count()} layer(s) lose 3 dB or more beyond what quantization alone costs (the fake-quant column): " +
                            "with --ort-avx2 Edge reproduces ONNX Runtime's AVX2 int8 GEMM, which saturates pair sums to int16; --reduce-range (7-bit weights) avoids it");
        }

        /// <summary>Layers whose int8 SQNR is 3 dB or more below the fake-quant SQNR.</summary>
        public IEnumerable<LayerError> KernelLossLayers() =>
            Layers.Where(e => !double.IsNaN(e.IdealSqnrDb) && double.IsFinite(e.SqnrDb) && e.IdealSqnrDb - e.SqnrDb >= 3);

        /// <summary>Writes the report: JSON for *.json, CSV for *.csv, a text table otherwise.</summary>
        public void Write(string path)
        {
            string ext = Path.GetExtension(path).ToLowerInvariant();
            string text = ext == ".json" ? Json() : ext == ".csv" ? Csv() : Text();
            File.WriteAllText(path, text);
        }

        public string Json()
        {
            JsonNode Num(double v) => double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(double.IsPositiveInfinity(v) ? "inf" : "-inf");
            var o = new JsonObject
            {
                ["model"] = Model,
                ["method"] = Method,
                ["samples"] = Samples,
                ["int8Side"] = Int8Side,
                ["layers"] = new JsonArray(Layers.Select(e => (JsonNode)new JsonObject
                {
                    ["layer"] = e.Layer, ["op"] = e.Op, ["tensor"] = e.Tensor, ["sqnrDb"] = Num(e.SqnrDb), ["maxAbsError"] = e.MaxAbsError,
                    ["fakeQuantSqnrDb"] = double.IsNaN(e.IdealSqnrDb) ? null : Num(e.IdealSqnrDb),
                    ["elements"] = e.Elements, ["scale"] = e.Scale, ["zeroPoint"] = e.ZeroPoint,
                }).ToArray()),
                ["outputs"] = new JsonArray(Outputs.Select(e => (JsonNode)new JsonObject { ["tensor"] = e.Tensor, ["sqnrDb"] = Num(e.SqnrDb), ["maxAbsError"] = e.MaxAbsError }).ToArray()),
            };
            return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        }

        public string Csv()
        {
            var sb = new StringBuilder("rank,layer,op,tensor,sqnr_db,max_abs_error,fake_quant_sqnr_db,elements,scale,zero_point\n");
            int i = 0;
            static string Q(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
            foreach (var e in Layers)
                sb.Append($"{++i},{Q(e.Layer)},{Q(e.Op)},{Q(e.Tensor)},{Db(e.SqnrDb)},{e.MaxAbsError.ToString("R", CultureInfo.InvariantCulture)},{(double.IsNaN(e.IdealSqnrDb) ? "" : Db(e.IdealSqnrDb))},{e.Elements},{e.Scale.ToString("R", CultureInfo.InvariantCulture)},{e.ZeroPoint}\n");
            return sb.ToString();
        }

        public string Text()
        {
            var w = new StringWriter();
            w.WriteLine($"Edge post-training quantization report: {Model}");
            w.WriteLine($"calibration: {Method}, {Samples} samples");
            w.WriteLine(Int8Side);
            w.WriteLine("SQNR = 10·log10(Σx² / Σ(x − x̂)²) over all samples; x = float graph, x̂ = int8 graph dequantized; worst first");
            if (Layers.Any(e => !double.IsNaN(e.IdealSqnrDb)))
                w.WriteLine("fake-quant dB: the same with x̂ from the QDQ graph run in float; a gap to SQNR is the integer kernels' own arithmetic (e.g. ONNX Runtime's AVX2 int16 pair saturation under --ort-avx2, avoided by --reduce-range)");
            w.WriteLine();
            Table().Write(w);
            w.WriteLine();
            foreach (var o in Outputs) w.WriteLine($"model output '{o.Tensor}': SQNR {Db(o.SqnrDb)} dB, max abs error {G(o.MaxAbsError)}");
            return w.ToString();
        }
    }
}
