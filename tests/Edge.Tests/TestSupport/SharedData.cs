using System;
using System.IO;
using Xunit;

namespace Edge.Tests
{
    /// <summary>
    /// Locates the ground-truth data in ../shared/conformance (beside the repository; never copied into it).
    /// Tests that need it use <see cref="SharedDataFactAttribute"/> / <see cref="SharedDataTheoryAttribute"/>,
    /// which skip with a visible message when it is missing.
    /// </summary>
    public static class SharedData
    {
        private static readonly Lazy<string> _repoRoot = new(() =>
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
            return dir?.FullName;
        });

        /// <summary>The repository root (the folder holding Edge.sln).</summary>
        public static string RepoRoot => _repoRoot.Value ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);

        /// <summary>../shared/conformance, or null when it is missing.</summary>
        public static string Root
        {
            get
            {
                if (_repoRoot.Value == null) return null;
                string p = Path.GetFullPath(Path.Combine(_repoRoot.Value, "..", "shared", "conformance"));
                return Directory.Exists(Path.Combine(p, "tflite")) ? p : null;
            }
        }

        public const string MissingMessage =
            "../shared/conformance not found beside the repository: conformance tests skipped (they need the real models and TFLite Micro's expected outputs)";

        public static string Tflite(string caseName) => Path.Combine(Root ?? throw new InvalidOperationException(MissingMessage), "tflite", caseName);
    }

    public sealed class SharedDataFactAttribute : FactAttribute
    {
        public SharedDataFactAttribute() { if (SharedData.Root == null) Skip = SharedData.MissingMessage; }
    }

    public sealed class SharedDataTheoryAttribute : TheoryAttribute
    {
        public SharedDataTheoryAttribute() { if (SharedData.Root == null) Skip = SharedData.MissingMessage; }
    }
}

namespace Edge.Tests
{
    /// <summary>A theory over shared data that also needs Debian's flatc; skips visibly when either is missing.</summary>
    public sealed class SharedDataFlatcTheoryAttribute : Xunit.TheoryAttribute
    {
        public SharedDataFlatcTheoryAttribute()
        {
            if (SharedData.Root == null) Skip = SharedData.MissingMessage;
            else if (Conformance.FlatcDecodeTests.Flatc() == null) Skip = "flatc not installed (apt-get install flatbuffers-compiler): flatc decode test skipped";
        }
    }
}
