"""Builds the C++ tests and the C++ example against the installed tapegrad CMake package
(find_package(tapegrad CONFIG) via tapegrad.cmake_dir()) and runs them with ctest."""
import os
import shutil
import subprocess

import pytest

import tapegrad


def test_cpp_ctest(tmp_path):
    cmake_dir = tapegrad.cmake_dir()
    if not os.path.exists(os.path.join(cmake_dir, "tapegradConfig.cmake")):
        pytest.skip("tapegrad is imported from the source tree, not an installed package")
    cmake = shutil.which("cmake")
    assert cmake, "cmake is needed to build the C++ tests"
    src = os.path.join(os.path.dirname(__file__), "cpp")
    build = str(tmp_path / "build")
    env = dict(os.environ)
    subprocess.run([cmake, "-S", src, "-B", build, f"-Dtapegrad_DIR={cmake_dir}",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, env=env)
    subprocess.run([cmake, "--build", build, "-j2"], check=True, env=env)
    r = subprocess.run(["ctest", "--test-dir", build, "--output-on-failure"],
                       capture_output=True, text=True, env=env)
    print(r.stdout, r.stderr)
    assert r.returncode == 0, r.stdout + r.stderr
