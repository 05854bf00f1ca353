import yaml
import selenium
