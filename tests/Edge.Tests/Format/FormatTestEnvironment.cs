using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace Edge.Tests.Format
{
    /// <summary>Locates the repo, the shared conformance data and flatc; runs flatc.</summary>
    internal static class FormatTestEnvironment
    {
        private static readonly Lazy<string> _repoRoot = new(() =>
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Edge.sln"))) return d.FullName;
            return null;
        });

        /// <summary>The directory holding Edge.sln (walking up from the test binaries), or null.</summary>
        public static string RepoRoot => _repoRoot.Value;

        /// <summary>../shared/conformance relative to the repo root, or null when absent.</summary>
        public static string ConformanceDir
        {
            get
            {
                if (RepoRoot == null) return null;
                string d = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "conformance"));
                return Directory.Exists(Path.Combine(d, "tflite")) ? d : null;
            }
        }

        public static string TfliteDir => ConformanceDir == null ? null : Path.Combine(ConformanceDir, "tflite");

        public static string TfliteSchemaFlatc2 => TfliteDir == null ? null : Path.Combine(TfliteDir, "schema_flatc2.fbs");

        public static string EdgeSchema => RepoRoot == null ? null : Path.Combine(RepoRoot, "runtime", "Format", "edge.fbs");

        /// <summary>Names of the case directories that hold a model.tflite.</summary>
        public static IEnumerable<string> ModelCases()
        {
            if (TfliteDir == null) return Array.Empty<string>();
            return Directory.GetDirectories(TfliteDir)
                .Where(d => File.Exists(Path.Combine(d, "model.tflite")))
                .Select(Path.GetFileName)
                .OrderBy(s => s, StringComparer.Ordinal);
        }

        public static string ModelPath(string caseName) => Path.Combine(TfliteDir, caseName, "model.tflite");

        private static readonly Lazy<string> _flatc = new(() =>
        {
            var candidates = new List<string> { "/usr/bin/flatc", "/usr/local/bin/flatc" };
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
                if (dir.Length > 0) candidates.Add(Path.Combine(dir, "flatc"));
            return candidates.FirstOrDefault(File.Exists);
        });

        /// <summary>Path of flatc, or null when it is not installed.</summary>
        public static string Flatc => _flatc.Value;

        /// <summary>
        /// Runs <c>flatc --json --strict-json --defaults-json --raw-binary schema -- binary</c> and returns the parsed JSON.
        /// --defaults-json makes flatc print fields equal to their default too, so every scalar is present.
        /// </summary>
        public static JsonDocument FlatcToJson(string schema, string binaryPath)
        {
            string outDir = Path.Combine(Path.GetTempPath(), "edge-format-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(outDir);
            try
            {
                RunFlatc(outDir, "--json", "--strict-json", "--defaults-json", "--raw-binary", "-o", outDir, schema, "--", binaryPath);
                string json = Path.Combine(outDir, Path.GetFileNameWithoutExtension(binaryPath) + ".json");
                Assert.True(File.Exists(json), $"flatc produced no {json}");
                return JsonDocument.Parse(File.ReadAllText(json), new JsonDocumentOptions { MaxDepth = 256 });
            }
            finally
            {
                Directory.Delete(outDir, true);
            }
        }

        /// <summary>Compiles a JSON document to a binary with <c>flatc --binary schema json</c>; returns the bytes.</summary>
        public static byte[] FlatcFromJson(string schema, string json)
        {
            string dir = Path.Combine(Path.GetTempPath(), "edge-format-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string jsonPath = Path.Combine(dir, "model.json");
                File.WriteAllText(jsonPath, json);
                RunFlatc(dir, "--binary", "-o", dir, schema, jsonPath);
                // flatc names the output after the schema's file_extension ("tflite" / "edge") or ".bin".
                string output = Directory.GetFiles(dir).Single(f => !f.EndsWith(".json", StringComparison.Ordinal));
                return File.ReadAllBytes(output);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static void RunFlatc(string workDir, params string[] args)
        {
            var psi = new ProcessStartInfo(Flatc)
            {
                WorkingDirectory = workDir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(60_000), "flatc timed out");
            Assert.True(p.ExitCode == 0, $"flatc {string.Join(" ", args)} failed ({p.ExitCode}): {stderr}{stdout.Result}");
        }

        /// <summary>Parses `enum NAME : type { A = 1, B, ... }` from a .fbs file: name → value (implicit values counted).</summary>
        public static Dictionary<string, long> ParseFbsEnum(string schemaPath, string enumName)
        {
            string s = File.ReadAllText(schemaPath);
            var m = Regex.Match(s, @"\benum\s+" + Regex.Escape(enumName) + @"\s*:\s*\w+\s*\{(.*?)\}", RegexOptions.Singleline);
            Assert.True(m.Success, $"enum {enumName} not found in {schemaPath}");
            return ParseMembers(m.Groups[1].Value, 0);
        }

        /// <summary>Parses `union NAME { A, B, ... }`: member → tag (NONE = 0, first member = 1).</summary>
        public static Dictionary<string, long> ParseFbsUnion(string schemaPath, string unionName)
        {
            string s = File.ReadAllText(schemaPath);
            var m = Regex.Match(s, @"\bunion\s+" + Regex.Escape(unionName) + @"\s*\{(.*?)\}", RegexOptions.Singleline);
            Assert.True(m.Success, $"union {unionName} not found in {schemaPath}");
            var members = ParseMembers(m.Groups[1].Value, 1);
            members["NONE"] = 0;
            return members;
        }

        private static Dictionary<string, long> ParseMembers(string body, long first)
        {
            var result = new Dictionary<string, long>(StringComparer.Ordinal);
            long next = first;
            foreach (string rawLine in body.Split('\n'))
            {
                string line = Regex.Replace(rawLine, "//.*", "");
                foreach (string part in line.Split(','))
                {
                    string p = Regex.Replace(part, @"\(.*?\)", "").Trim();
                    if (p.Length == 0) continue;
                    var mm = Regex.Match(p, @"^(\w+)\s*(?:=\s*(-?\d+))?$");
                    Assert.True(mm.Success, $"cannot parse enum/union member '{p}'");
                    long v = mm.Groups[2].Success ? long.Parse(mm.Groups[2].Value) : next;
                    result[mm.Groups[1].Value] = v;
                    next = v + 1;
                }
            }
            return result;
        }
    }

    /// <summary>A [Fact] that is skipped, with a visible reason, when flatc is not installed.</summary>
    public sealed class FlatcFactAttribute : FactAttribute
    {
        public FlatcFactAttribute()
        {
            if (FormatTestEnvironment.Flatc == null) Skip = "flatc not found (install Debian's flatbuffers-compiler); flatc cross-check skipped";
            else if (FormatTestEnvironment.RepoRoot == null) Skip = "Edge.sln not found above the test directory; cannot locate runtime/Format/edge.fbs";
        }
    }

    /// <summary>A [Fact] that is skipped, with a visible reason, when ../shared/conformance is missing.</summary>
    public sealed class ConformanceFactAttribute : FactAttribute
    {
        public ConformanceFactAttribute(bool needsFlatc = false)
        {
            if (FormatTestEnvironment.ConformanceDir == null)
                Skip = "conformance data not found (expected ../shared/conformance/tflite next to the repo root); skipped";
            else if (needsFlatc && FormatTestEnvironment.Flatc == null)
                Skip = "flatc not found (install Debian's flatbuffers-compiler); flatc cross-check skipped";
        }
    }

    /// <summary>A [Theory] over the conformance models, skipped with a visible reason when data or flatc is missing.</summary>
    public sealed class ConformanceTheoryAttribute : TheoryAttribute
    {
        public ConformanceTheoryAttribute(bool needsFlatc = false)
        {
            if (FormatTestEnvironment.ConformanceDir == null)
                Skip = "conformance data not found (expected ../shared/conformance/tflite next to the repo root); skipped";
            else if (needsFlatc && FormatTestEnvironment.Flatc == null)
                Skip = "flatc not found (install Debian's flatbuffers-compiler); flatc cross-check skipped";
        }
    }
}
