from judge.checkers import apps_compat, get_rule, strict

import pytest


def test_strict_tokens_and_floats():
    assert strict.compare_stdout("1 2\n3\n", "1 2\n3\n") == "exact"
    assert strict.compare_stdout("1\n3 \n-1\n", "1\n3\n-1") == "tokens"
    assert strict.compare_stdout("0.333333", "0.3333334") == "tokens~1e-6"
    assert strict.compare_stdout("1e-7", "0.0000001000001") == "tokens~1e-6"
    assert strict.compare_stdout("2.5", "2.6") is None
    assert strict.compare_stdout("1", "1.0") is None           # an integer answer must be exact
    assert strict.compare_stdout("123456", "123457") is None
    assert strict.compare_stdout("YES", "yes") is None
    assert strict.compare_stdout("1 2", "2 1") is None
    assert strict.compare_stdout("1 2", "1 2 3") is None
    assert strict.compare_stdout("nan", "nan") == "exact"


def test_strict_return_values():
    assert strict.compare_return([9], 9) == "equal-unwrapped"
    assert strict.compare_return([[1, 2]], (1, 2)) == "equal-unwrapped"
    assert strict.compare_return([True], True) == "equal-unwrapped"
    assert strict.compare_return([1], True) is None            # bool is not int
    assert strict.compare_return([0.1 + 0.2], 0.3) == "equal-unwrapped"
    assert strict.compare_return(["a"], "b") is None
    assert strict.compare_return({"a": [1]}, {"a": [1]}) == "equal"


def test_apps_compat_reproduces_lenient_steps():
    assert apps_compat.compare_stdout("123456", "123457") == "allclose"      # rtol 1e-5
    assert apps_compat.compare_stdout("1 2\n3", "3\n2 1") == "token-sets"
    assert apps_compat.compare_stdout("1 1 2", "2 1") == "token-sets"        # repeats ignored
    assert apps_compat.compare_stdout("0.333333", "0.3333334") == "allclose"
    assert apps_compat.compare_stdout("0.3333", "0.33333333") == "rounded-token-sets"
    assert apps_compat.compare_stdout("  a\nb  ", "a\nb") == "stripped"
    assert apps_compat.compare_stdout("a\n\nb", "a\nb") == "nonempty-lines"
    assert apps_compat.compare_stdout("YES", "NO") is None
    assert apps_compat.compare_return([[[1, 2]]], [(1, 2)]) == "tuples-as-lists"
    assert apps_compat.compare_return([1], True) == "equal-unwrapped"       # 1 == True in the original


def test_registry():
    assert get_rule("strict") is strict
    with pytest.raises(ValueError, match="unknown checker"):
        get_rule("nope")
