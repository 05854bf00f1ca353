import mypkg
import pytest
